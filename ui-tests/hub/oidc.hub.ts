/**
 * OpenID Connect sign-in on a real JupyterHub (MLHUB_AUTH=oidc) in the browser: the hub's
 * login page offers the provider, the provider (hub_config/fake_oidc.py, found through
 * its discovery document) asks who to be, and the authorization code flow lands alice on
 * the hub's home page, signed in under her preferred_username claim. Signing in does not
 * start a server here (signin.hub.ts and signup.hub.ts cover spawning and the lab).
 *
 * The hub (OIDC_HUB in hub-env.js) is started for this file and stopped after it.
 */
import { expect, test } from '@playwright/test';

import { OIDC_HUB, OIDC_PORT, SKIP_VAR } from './hub-env';
import { startHub, stopHub } from './hub-process';

const BASE = OIDC_HUB.url;

let stateDir: string | undefined;
let skip = process.env[SKIP_VAR] ?? '';

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(300000);
  if (skip) {
    return;
  }
  const started = await startHub({
    ...OIDC_HUB,
    // The sign-in itself is under test: no registry service to wait for.
    settings: { ...OIDC_HUB.settings, MLHUB_HUB_SERVICE: 'off' }
  });
  skip = started.skip ?? '';
  stateDir = started.stateDir;
});

test.afterAll(async ({}, testInfo) => {
  testInfo.setTimeout(120000);
  if (stateDir) {
    stopHub(OIDC_HUB, stateDir);
  }
});

test('alice signs in with the OpenID Connect provider', async ({ page }) => {
  test.skip(!!skip, skip);
  const hops: string[] = [];
  page.on('request', request => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      hops.push(request.url());
    }
  });

  await page.goto(`${BASE}/hub/login?next=${encodeURIComponent('/hub/home')}`);
  await page.getByRole('button', { name: 'Sign in with Trial OIDC' }).click();

  // The provider's own page (its authorization endpoint from the discovery document).
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${OIDC_PORT}/authorize\\?`));
  const asked = new URL(page.url()).searchParams;
  expect(asked.get('response_type')).toBe('code');
  expect(asked.get('scope')?.split(' ')).toEqual(['email', 'openid', 'profile']);
  expect(asked.get('code_challenge_method')).toBe('S256');
  await page.getByLabel('Login').fill('alice');
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Back at the hub, signed in as alice, on the home page she asked for.
  await page.waitForURL(`${BASE}/hub/home`);
  await expect(page.locator('#start')).toBeVisible();
  const paths = hops.map(url => new URL(url).pathname);
  expect(paths).toEqual(
    expect.arrayContaining([
      '/hub/login',
      '/hub/oauth_login',
      '/authorize',
      '/hub/oauth_callback',
      '/hub/home'
    ])
  );
  expect(paths.indexOf('/hub/oauth_callback')).toBeGreaterThan(paths.indexOf('/authorize'));
  const me = await page.request.get(`${BASE}/hub/api/user`);
  expect(me.status(), await me.text()).toBe(200);
  expect(await me.json()).toMatchObject({ name: 'alice', kind: 'user' });
});
