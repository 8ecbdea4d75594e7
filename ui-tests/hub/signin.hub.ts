/**
 * JupyterLab on a real JupyterHub: alice signs in through the whole GitHub OAuth
 * redirect chain in the browser (hub login page → "Sign in with GitHub" → the fake
 * GitHub's "which user?" form → back to the hub), her server spawns, JupyterLab opens,
 * and the ML Hub sidebar shows a project made with alice's own hub token through her
 * server's /user/alice/mlhub/api/v1/ (forwarded to the hub's registry service); then
 * she shares it with bob from the Share dialog.
 */
import { expect, test } from '@playwright/test';

import { GITHUB_PORT, HUB_URL, SKIP_VAR } from './hub-env';
import { shot } from '../shots';

const ALICE_API = '/user/alice/mlhub/api/v1';

test.skip(!!process.env[SKIP_VAR], process.env[SKIP_VAR] ?? '');

test('alice signs in with GitHub and sees her project in the ML Hub sidebar', async ({
  page,
  playwright
}) => {
  // Every page load, redirects included, in order.
  const hops: string[] = [];
  page.on('request', request => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      hops.push(request.url());
    }
  });

  await page.goto('/hub/login');
  await page.getByRole('button', { name: 'Sign in with GitHub' }).click();

  // The fake GitHub asks which login to use, as real GitHub would ask for a password.
  await expect(page).toHaveURL(
    new RegExp(`^http://127\\.0\\.0\\.1:${GITHUB_PORT}/login/oauth/authorize\\?`)
  );
  await page.locator('input[name="login"]').fill('alice');
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Back at the hub: the server spawns, then the hub sends the browser on to the lab.
  await page.waitForURL(/\/user\/alice\/lab/, { timeout: 150000 });
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible({ timeout: 60000 });
  const paths = hops.map(url => new URL(url).pathname);
  expect(paths).toEqual(
    expect.arrayContaining([
      '/hub/login',
      '/hub/oauth_login',
      '/login/oauth/authorize',
      '/hub/oauth_callback',
      '/user/alice/oauth_callback',
      '/user/alice/lab'
    ])
  );
  expect(paths.indexOf('/hub/oauth_callback')).toBeGreaterThan(
    paths.indexOf('/login/oauth/authorize')
  );

  // A hub API token of alice's, made with her browser session as the token page does.
  const hubXsrf = (await page.context().cookies(`${HUB_URL}/hub/`)).find(
    cookie => cookie.name === '_xsrf'
  );
  const tokenResponse = await page.request.post('/hub/api/users/alice/tokens', {
    headers: hubXsrf ? { 'X-XSRFToken': hubXsrf.value } : {},
    data: { note: 'ui-tests/hub' }
  });
  expect(tokenResponse.status(), await tokenResponse.text()).toBe(201);
  const token: string = (await tokenResponse.json()).token;

  // With that token only (no cookies), through alice's server to the registry service.
  const alice = await playwright.request.newContext({
    baseURL: HUB_URL,
    extraHTTPHeaders: { Authorization: `token ${token}` }
  });
  const handshake = await alice.get(`${ALICE_API}/`);
  expect(handshake.status(), await handshake.text()).toBe(200);
  expect(await handshake.json()).toMatchObject({ mode: 'hub', user: 'alice' });
  const project = `hub-ui-${Date.now().toString(36)}`;
  const created = await alice.post(`${ALICE_API}/projects`, {
    data: { name: project, description: "made with alice's hub token" }
  });
  expect(created.status(), await created.text()).toBe(201);
  expect(await created.json()).toMatchObject({ name: project, owner: 'alice', role: 'owner' });

  // Projects and their runs: the Experiments sidebar's Projects view.
  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const sidebar = page.locator('#mlhub-experiments');
  await expect(sidebar).toBeVisible();
  await sidebar.getByRole('tab', { name: 'Projects' }).click();
  const card = sidebar.locator(`[data-project="${project}"]`);
  await expect(card).toBeVisible();
  await expect(card.locator('.jp-MLHub-projectName')).toHaveText(project);
  await expect(card.locator('.jp-MLHub-projectDescription')).toHaveText(
    "made with alice's hub token"
  );
  await expect(sidebar.locator('.jp-MLHub-footer')).toContainText('alice · hub');
  await expect(sidebar.locator('.jp-MLHub-error')).toHaveCount(0);
  await page.screenshot({ path: shot('hub-sidebar.png') });

  // The Share dialog works through the hub too (the lab's writes carry its XSRF token
  // through alice's server to the service): alice shares the project with bob.
  await card.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.locator('.jp-MLHub-shareDialog');
  await dialog.getByLabel('Role for the new member').selectOption('read');
  await dialog.getByLabel('User to add').fill('bob');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await expect(dialog.locator('.jp-MLHub-shareMember[data-user="bob"]')).toHaveAttribute(
    'data-role',
    'read'
  );
  const members = await alice.get(`${ALICE_API}/projects/${project}/members`);
  expect((await members.json()).members).toEqual([
    { project, user: 'alice', role: 'owner' },
    { project, user: 'bob', role: 'read' }
  ]);
  await alice.dispose();
});
