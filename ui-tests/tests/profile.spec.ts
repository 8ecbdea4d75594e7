import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { shot } from '../shots';
import { api, API, registerCsv } from './helpers';

/** A request made the way a script would: with the API token (which takes precedence). */
async function withToken(page: Page, method: 'GET' | 'POST', path: string, token: string): Promise<number> {
  const response = await page.request.fetch(`${API}/${path}`, {
    method,
    data: method === 'POST' ? { name: `by-token-${Date.now()}` } : undefined,
    headers: { Authorization: `token ${token}` }
  });
  return response.status();
}

async function openProfile(page: Page): Promise<Locator> {
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('mlhub:open-profile'));
  const view = page.locator('#mlhub-profile .jp-MLHubProfile');
  await expect(view).toBeVisible();
  return view;
}

test.describe('Profile', () => {
  test('shows my work with sizes; creates a token shown once, lists it and revokes it', async ({ page }) => {
    const project = `profile-${Date.now().toString(36)}`;
    const run = await api(page, 'POST', 'runs', { project, name: 'baseline' });
    await api(page, 'PUT', `runs/${run.id}/artifacts/weights.bin`, Buffer.alloc(3 * 1024, 7));
    await registerCsv(page, `${project}-iris.csv`, 'sepal,petal,species\n5.1,1.4,setosa\n6.2,4.5,versicolor\n');
    const me = await api(page, 'GET', 'me');

    const view = await openProfile(page);
    const identity = view.getByLabel('identity');
    await expect(identity).toContainText(me.name);
    await expect(identity).toContainText('local mode');
    const projects = view.getByLabel('My projects');
    const row = projects.locator('tr', { hasText: project });
    await expect(row.locator('td').nth(3)).toHaveText('3.0 KB');   // the artifact's bytes
    await expect(row.locator('td').nth(2)).toHaveText('1');  // one run
    await expect(view.getByLabel('My datasets')).toContainText(`${project.replace('-', '_')}_iris`);  // name normalised
    await expect(view.getByLabel('Shared with me')).toContainText('Nothing is shared with you yet');

    // Create a read-only token that expires in 30 days.
    const tokens = view.getByLabel('API tokens');
    await expect(tokens.getByRole('button', { name: 'Create token' })).toBeDisabled();
    await tokens.getByLabel('Name').fill('nightly report');
    await tokens.getByLabel('Expires after').selectOption({ label: '30 days' });
    await tokens.getByLabel('Scope').selectOption({ label: 'Read only' });
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const created = tokens.getByRole('status', { name: 'new token' });
    await expect(created).toContainText('shown only once');
    const value = await created.getByLabel('token value').inputValue();
    expect(value).toMatch(/^mlh_[A-Za-z0-9_-]{40,}$/);
    await expect(tokens.getByLabel('Name')).toHaveValue('');

    const listed = tokens.locator('tr[data-token="nightly report"]');
    await expect(listed).toContainText('read only');
    await expect(listed.locator('td').nth(3)).toHaveText('never');   // last used: not yet
    await expect(listed).toContainText(value.slice(0, 10));  // its prefix, to recognise it
    await created.getByRole('button', { name: 'Copy' }).click();
    await expect(created.getByRole('button', { name: 'Copied' })).toBeVisible();

    // The token works as a script would use it: reads, but may not write.
    expect(await withToken(page, 'GET', 'projects', value)).toBe(200);
    expect(await withToken(page, 'POST', 'projects', value)).toBe(403);
    // The server never sends the value again.
    const again = await api(page, 'GET', 'me/tokens');
    expect(JSON.stringify(again)).not.toContain(value);

    // The docs' screenshot: the whole profile with the new token.
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('application:toggle-left-area'));
    await page.waitForTimeout(300);
    await page.locator('#mlhub-profile').screenshot({ path: shot('profile.png') });
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('application:toggle-left-area'));

    // Done: the value is gone from the page for good.
    await created.getByRole('button', { name: 'Done' }).click();
    await expect(created).toHaveCount(0);
    expect(await view.innerHTML()).not.toContain(value);
    await view.getByRole('button', { name: 'Refresh' }).click();
    await expect(listed.locator('td').nth(3)).not.toHaveText('never');   // last used: just now

    // Revoke, confirming in the dialog: gone from the list, refused from now on.
    await listed.getByRole('button', { name: 'Revoke nightly report' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Revoke API token "nightly report"');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect(listed).toHaveCount(0);
    await expect(tokens).toContainText('No API tokens.');
    expect(await withToken(page, 'GET', 'projects', value)).toBe(401);
  });

  test('a bad token request shows the server message', async ({ page }) => {
    const view = await openProfile(page);
    const tokens = view.getByLabel('API tokens');
    await tokens.getByLabel('Name').fill('x'.repeat(100));
    // The server refuses what the form cannot stop: here, an expiry beyond the limit.
    await page.route(/\/mlhub\/api\/v1\/me\/tokens(\?.*)?$/, async route => {
      if (route.request().method() !== 'POST') {
        return route.continue();
      }
      const body = { ...route.request().postDataJSON(), expires_in_days: 99999 };
      return route.continue({ postData: JSON.stringify(body) });
    });
    await tokens.getByRole('button', { name: 'Create token' }).click();
    await expect(tokens.getByRole('alert')).toContainText(
      "field 'expires_in_days': Input should be less than or equal to 3650"
    );
    await expect(tokens.getByRole('status', { name: 'new token' })).toHaveCount(0);
  });
});
