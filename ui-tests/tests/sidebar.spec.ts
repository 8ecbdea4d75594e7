import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { shot } from '../shots';
import { API, xsrfHeaders } from './helpers';

interface IRun {
  id: string;
  project: string;
  name: string;
  status: string;
}

async function api(
  request: APIRequestContext,
  page: Page,
  method: 'POST' | 'PATCH',
  path: string,
  data: unknown
): Promise<any> {
  const response = await request.fetch(`${API}/${path}`, {
    method,
    data,
    headers: await xsrfHeaders(page)
  });
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(
    true
  );
  return response.json();
}

function createRun(page: Page, project: string, name: string): Promise<IRun> {
  return api(page.request, page, 'POST', 'runs', { project, name });
}

/** Projects and their runs live in the Experiments sidebar (its Projects view). */
function sidebar(page: Page): Locator {
  return page.locator('#mlhub-experiments');
}

async function openProjects(page: Page): Promise<Locator> {
  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const panel = sidebar(page);
  await panel.getByRole('tab', { name: 'Projects' }).click();
  await expect(panel.getByRole('tab', { name: 'Projects' })).toHaveAttribute('aria-selected', 'true');
  return panel;
}

test.describe('Projects in the Experiments sidebar', () => {
  test('lists a run created through the API and refreshes', async ({
    page
  }) => {
    const suffix = Date.now().toString(36);
    const project = `mnist-${suffix}`;
    const first = await createRun(page, project, 'baseline');
    expect(first.project).toBe(project);
    await api(page.request, page, 'POST', `runs/${first.id}/metrics`, {
      metrics: {
        loss: { steps: [0, 1, 2], values: [0.92, 0.51, 0.3123] },
        accuracy: { steps: [0, 1, 2], values: [0.61, 0.85, 0.9134] }
      }
    });
    await api(page.request, page, 'PATCH', `runs/${first.id}`, {
      status: 'finished'
    });

    // One entry per concern in the left bar: no separate "ML Hub" panel any more.
    await expect(page.locator('.jp-SideBar [data-id="mlhub-sidebar"]')).toHaveCount(0);
    const panel = await openProjects(page);
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { name: 'Experiments' })).toBeVisible();

    const card = panel.locator(`[data-project="${project}"]`);
    await expect(card).toBeVisible();
    await expect(card.locator('.jp-MLHub-runName')).toHaveText(['baseline']);
    await expect(card.locator('.jp-MLHub-status')).toHaveText(['finished']);
    await expect(card.locator('.jp-MLHub-metric')).toHaveText([
      'accuracy=0.9134',
      'loss=0.3123'
    ]);

    // A run made after the panel loaded appears once Refresh is clicked.
    await createRun(page, project, 'wider-hidden-layer');
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect(card.locator('.jp-MLHub-runName')).toHaveText([
      'wider-hidden-layer',
      'baseline'
    ]);
    await expect(card.locator('.jp-MLHub-status')).toHaveText([
      'running',
      'finished'
    ]);
    await expect(card.locator('.jp-MLHub-projectMeta')).toContainText('2 runs');
    await expect(panel.locator('.jp-MLHub-error')).toHaveCount(0);
    await expect(panel.locator('.jp-MLHub-banner')).toHaveCount(0);

    await page.screenshot({ path: shot('sidebar.png') });
  });

  test('the command palette entry opens the sidebar', async ({ page }) => {
    const panel = sidebar(page);
    await expect(panel).toBeHidden();

    await page.keyboard.press('Control+Shift+c');
    const palette = page.locator('#command-palette');
    await expect(palette).toBeVisible();
    await palette.locator('.lm-CommandPalette-input').fill('Open ML Hub');
    // Exactly this label: other ML Hub panels have their own "Open ..." entries.
    const entry = palette.locator('.lm-CommandPalette-item').filter({
      has: page.locator('.lm-CommandPalette-itemLabel', {
        hasText: /^Open ML Hub$/
      })
    });
    await expect(entry).toHaveCount(1);
    await entry.click();

    await expect(panel).toBeVisible();
    await expect(panel.getByRole('tab', { name: 'Projects' })).toHaveAttribute('aria-selected', 'true');
    await expect(panel.getByRole('button', { name: 'Refresh' })).toBeEnabled();
  });

  test('follows the dark theme', async ({ page }) => {
    await page.theme.setDarkTheme();
    const panel = await openProjects(page);
    await expect(panel).toBeVisible();

    const colors = await panel.evaluate(node => {
      const style = getComputedStyle(node);
      const probe = document.createElement('div');
      probe.style.backgroundColor = 'var(--jp-layout-color1)';
      probe.style.color = 'var(--jp-ui-font-color1)';
      document.body.appendChild(probe);
      const expected = getComputedStyle(probe);
      const result = {
        background: style.backgroundColor,
        expectedBackground: expected.backgroundColor,
        color: style.color,
        expectedColor: expected.color
      };
      probe.remove();
      return result;
    });
    expect(colors.background).toBe(colors.expectedBackground);
    expect(colors.color).toBe(colors.expectedColor);
    // Dark theme: the panel's background is darker than its text.
    const luminance = (rgb: string) =>
      (rgb.match(/\d+/g) ?? ['0', '0', '0'])
        .slice(0, 3)
        .map(Number)
        .reduce((sum, channel) => sum + channel, 0);
    expect(luminance(colors.background)).toBeLessThan(luminance(colors.color));
    await expect(panel.getByRole('button', { name: 'Refresh' })).toBeEnabled();
    await page.screenshot({ path: shot('sidebar-dark.png') });
  });

  test("shows the server's error message verbatim", async ({ page }) => {
    await page.route('**/mlhub/api/v1/projects*', route =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'unavailable',
            message: 'the registry database is at an old revision: run `mlhub db upgrade`'
          }
        })
      })
    );
    await openProjects(page);
    const error = sidebar(page).locator('.jp-MLHub-error');
    await expect(error).toHaveText(
      'the registry database is at an old revision: run `mlhub db upgrade`'
    );
    await expect(error).toHaveAttribute('role', 'alert');

    // Once the server answers again, Refresh clears the message.
    await page.unroute('**/mlhub/api/v1/projects*');
    await sidebar(page).getByRole('button', { name: 'Refresh' }).click();
    await expect(error).toHaveCount(0);
  });

  test('names both versions when server and extension differ', async ({
    page
  }) => {
    await page.route(/\/mlhub\/api\/v1\/?(\?.*)?$/, route =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ version: '9.9.9', mode: 'local', user: 'ci' })
      })
    );
    await openProjects(page);
    const banner = sidebar(page).locator('.jp-MLHub-banner');
    await expect(banner).toContainText(
      /^ML Hub server 9\.9\.9, lab extension \d+\.\d+\.\d+\S*: reinstall/
    );
  });
});
