/**
 * Email and password sign-up on a real JupyterHub with NativeAuthenticator
 * (MLHUB_AUTH=native): dana signs up and waits for approval (signing in is refused until
 * then), the admin approves her on the hub's authorize page, dana signs in, her server
 * spawns, JupyterLab opens and the ML Hub sidebar shows her own, empty registry.
 *
 * The hub (NATIVE_HUB in hub-env.js) is started for this file and stopped after it.
 */
import { expect, Page, test } from '@playwright/test';

import { NATIVE_HUB, SKIP_VAR } from './hub-env';
import { startHub, stopHub } from './hub-process';
import { shot } from '../shots';

const BASE = NATIVE_HUB.url;
const ADMIN = { name: 'hubadmin', email: 'admin@example.org', password: 'admin-horse-battery-7' };
const DANA = { name: 'dana', email: 'dana@example.org', password: 'dana-staple-orbit-42' };

let stateDir: string | undefined;
let skip = process.env[SKIP_VAR] ?? '';

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(300000);
  if (skip) {
    return;
  }
  const started = await startHub(NATIVE_HUB);
  skip = started.skip ?? '';
  stateDir = started.stateDir;
});

test.afterAll(async ({}, testInfo) => {
  testInfo.setTimeout(120000);
  if (stateDir) {
    stopHub(NATIVE_HUB, stateDir);
  }
});

async function signUp(page: Page, who: typeof DANA): Promise<void> {
  await page.goto(`${BASE}/hub/signup`);
  await page.locator('input[name="username"]').fill(who.name);
  await page.locator('input[name="email"]').fill(who.email);
  await page.locator('input[name="signup_password"]').fill(who.password);
  await page.locator('input[name="signup_password_confirmation"]').fill(who.password);
  await page.getByRole('button', { name: 'Create User' }).click();
}

async function signIn(page: Page, who: typeof DANA, next = ''): Promise<void> {
  await page.goto(`${BASE}/hub/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.locator('input[name="username"]').fill(who.name);
  await page.locator('input[name="password"]').fill(who.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
}

test('dana signs up, the admin approves her, she signs in to her own empty registry', async ({
  browser
}) => {
  test.skip(!!skip, skip);
  const adminPage = await (await browser.newContext()).newPage();
  const danaPage = await (await browser.newContext()).newPage();

  // An admin named in MLHUB_ADMIN_USERS is approved on sign-up.
  await signUp(adminPage, ADMIN);
  await expect(adminPage.locator('.alert')).toContainText('The signup was successful');

  // Anyone else waits for an admin.
  await signUp(danaPage, DANA);
  await expect(danaPage.locator('.alert')).toContainText(
    'Your information has been sent to the admin'
  );
  await signIn(danaPage, DANA);
  await expect(
    danaPage.getByText('User dana has not been authorized by an administrator yet.')
  ).toBeVisible();
  expect(new URL(danaPage.url()).pathname).toBe('/hub/login');

  // The admin signs in straight to the authorize page and approves dana.
  await signIn(adminPage, ADMIN, '/hub/authorize');
  await expect(adminPage).toHaveURL(`${BASE}/hub/authorize`);
  const row = adminPage.locator('tr', {
    has: adminPage.getByRole('cell', { name: DANA.name, exact: true })
  });
  await expect(row).toContainText(DANA.email);
  await adminPage.screenshot({ path: shot('hub-authorize.png') });
  await row.getByRole('button', { name: 'Authorize', exact: true }).click();
  await expect(row.getByRole('button', { name: 'Unauthorize', exact: true })).toBeVisible();

  // Now dana's sign-in goes through: her server spawns and JupyterLab opens.
  await signIn(danaPage, DANA);
  await danaPage.waitForURL(/\/user\/dana\/lab/, { timeout: 150000 });
  await expect(danaPage.locator('#jp-main-dock-panel')).toBeVisible({ timeout: 60000 });

  // Her registry, through her server and the hub's registry service, is empty.
  const handshake = await danaPage.request.get(`${BASE}/user/dana/mlhub/api/v1/`);
  expect(handshake.status(), await handshake.text()).toBe(200);
  expect(await handshake.json()).toMatchObject({ mode: 'hub', user: 'dana' });
  const projects = await danaPage.request.get(`${BASE}/user/dana/mlhub/api/v1/projects`);
  expect(projects.status(), await projects.text()).toBe(200);
  expect(await projects.json()).toMatchObject({ projects: [], total: 0 });

  // Projects and their runs: the Experiments sidebar's Projects view.
  await danaPage.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const sidebar = danaPage.locator('#mlhub-experiments');
  await expect(sidebar).toBeVisible();
  await sidebar.getByRole('tab', { name: 'Projects' }).click();
  await expect(sidebar.locator('.jp-MLHub-empty')).toContainText('No projects yet');
  await expect(sidebar.locator('.jp-MLHub-footer')).toContainText('dana · hub');
  await expect(sidebar.locator('.jp-MLHub-error')).toHaveCount(0);
});
