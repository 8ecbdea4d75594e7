import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext, Page } from '@playwright/test';

const API = '/mlhub/api/v1';

/** Headers for a write: the Jupyter server's XSRF cookie echoed back, where it set one. */
async function xsrfHeaders(page: Page): Promise<Record<string, string>> {
  const cookies = await page.context().cookies();
  const xsrf = cookies.find(cookie => cookie.name === '_xsrf');
  return xsrf ? { 'X-XSRFToken': xsrf.value } : {};
}

async function createRun(
  request: APIRequestContext,
  page: Page,
  project: string,
  name: string
): Promise<{ id: string; project: string; name: string }> {
  const response = await request.post(`${API}/runs`, {
    data: { project, name },
    headers: await xsrfHeaders(page)
  });
  expect(response.status(), await response.text()).toBe(201);
  return response.json();
}

function sidebar(page: Page) {
  return page.locator('#mlhub-sidebar');
}

test.describe('ML Hub sidebar', () => {
  test('lists a run created through the API and refreshes', async ({
    page
  }) => {
    const suffix = Date.now().toString(36);
    const project = `ui-${suffix}`;
    const run = await createRun(page.request, page, project, `first-${suffix}`);
    expect(run.project).toBe(project);

    await page.click('.jp-SideBar [data-id="mlhub-sidebar"]');
    const panel = sidebar(page);
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { name: 'ML Hub' })).toBeVisible();

    const card = panel.locator(`[data-project="${project}"]`);
    await expect(card).toBeVisible();
    await expect(card.locator('.jp-MLHub-runName')).toHaveText([
      `first-${suffix}`
    ]);
    await expect(card.locator('.jp-MLHub-status').first()).toHaveText(
      'running'
    );

    // A run made after the panel loaded appears only after Refresh.
    await createRun(page.request, page, project, `second-${suffix}`);
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect(card.locator('.jp-MLHub-runName')).toHaveText([
      `second-${suffix}`,
      `first-${suffix}`
    ]);
    await expect(panel.locator('.jp-MLHub-error')).toHaveCount(0);
    await expect(panel.locator('.jp-MLHub-banner')).toHaveCount(0);

    await page.screenshot({ path: '../docs/screenshots/sidebar.png' });
  });

  test('the command palette entry opens the sidebar', async ({ page }) => {
    const panel = sidebar(page);
    await expect(panel).toBeHidden();

    await page.keyboard.press('Control+Shift+c');
    const palette = page.locator('#command-palette');
    await expect(palette).toBeVisible();
    await palette.locator('.lm-CommandPalette-input').fill('Open ML Hub');
    await palette
      .locator('.lm-CommandPalette-item', { hasText: 'Open ML Hub' })
      .click();

    await expect(panel).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Refresh' })).toBeVisible();
  });
});
