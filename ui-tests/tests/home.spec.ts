import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { createHash } from 'crypto';
import { shot } from '../shots';
import { api, API, xsrfHeaders } from './helpers';

/** Upload and register `text` as `filename` through the chunked upload API. */
async function registerDataset(page: Page, filename: string, text: string): Promise<any> {
  const headers = await xsrfHeaders(page);
  const data = Buffer.from(text);
  const sha = createHash('sha256').update(data).digest('hex');
  const created = await page.request.post(`${API}/uploads`, { data: { filename, size: data.length }, headers });
  expect(created.ok(), await created.text()).toBe(true);
  const upload = await created.json();
  const chunk = await page.request.put(`${API}/uploads/${upload.id}/chunks/0`, {
    data,
    headers: { ...headers, 'Content-Type': 'application/octet-stream', 'X-Chunk-SHA256': sha }
  });
  expect(chunk.ok(), await chunk.text()).toBe(true);
  const done = await page.request.post(`${API}/uploads/${upload.id}/complete`, { data: { sha256: sha }, headers });
  expect(done.ok(), await done.text()).toBe(true);
  const reg = await page.request.post(`${API}/datasets`, { data: { upload_id: upload.id }, headers });
  expect(reg.ok(), await reg.text()).toBe(true);
  return reg.json();
}

function home(page: Page): Locator {
  return page.locator('#mlhub-home');
}

function stat(view: Locator, label: string): Locator {
  return view.locator(`[data-stat="${label}"] .jp-MLHubHome-statValue`);
}

/** A project with a running run at step 4 and a finished run, and a dataset. */
async function seed(page: Page): Promise<{ project: string; live: any; done: any; dataset: string }> {
  const suffix = Date.now().toString(36);
  const project = `home-${suffix}`;
  const done = await api(page, 'POST', 'runs', { project, name: 'baseline' });
  await api(page, 'PATCH', `runs/${done.id}`, { status: 'finished' });
  const live = await api(page, 'POST', 'runs', { project, name: 'training' });
  await api(page, 'POST', `runs/${live.id}/metrics`, {
    metrics: { loss: { steps: [0, 1, 2, 3, 4], values: [1, 0.8, 0.6, 0.5, 0.45] } }
  });
  const dataset = `home_iris_${suffix}`;
  await registerDataset(page, `${dataset}.csv`, 'a,b\n1,2\n3,4\n');
  return { project, live, done, dataset };
}

test.describe('ML Hub home', () => {
  test('opens from the launcher, shows counts, stops a running run, activity lines open their items', async ({
    page
  }) => {
    const { live, done, dataset } = await seed(page);
    const expected = await api(page, 'GET', 'home');

    await page.locator('.jp-LauncherCard', { hasText: 'ML Hub Home' }).click();
    const view = home(page);
    await expect(view).toBeVisible();
    await expect(view.getByRole('heading', { name: 'ML Hub Home' })).toBeVisible();
    // The figures the endpoint gives, as the page shows them (at least what this test made).
    expect(expected.counts.runs.total).toBeGreaterThanOrEqual(2);
    expect(expected.counts.runs.running).toBeGreaterThanOrEqual(1);
    expect(expected.counts.datasets).toBeGreaterThanOrEqual(1);
    await expect(stat(view, 'Projects')).toHaveText(String(expected.counts.projects));
    await expect(stat(view, 'Runs')).toHaveText(String(expected.counts.runs.total));
    await expect(stat(view, 'Datasets')).toHaveText(String(expected.counts.datasets));
    await expect(view.locator('[data-stat="Runs"] .jp-MLHubHome-statDetail')).toContainText(
      `running ${expected.counts.runs.running}`
    );
    const today = expected.runs_per_day[expected.runs_per_day.length - 1];
    await expect(view.locator(`.jp-MLHubHome-bar[data-date="${today.date}"]`)).toHaveAttribute(
      'data-count',
      String(today.count)
    );

    // My running run, with its progress and Stop.
    const row = view.locator(`.jp-MLHubHome-running[data-run-id="${live.id}"]`);
    await expect(row).toContainText('training');
    await expect(row).toContainText('step 4');
    const activity = view.getByRole('region', { name: 'Recent activity' });
    await expect(activity.locator('li[data-kind="run_started"]', { hasText: 'training' }).first()).toBeVisible();
    await expect(activity.locator('li[data-kind="dataset_version"]', { hasText: dataset }).first()).toBeVisible();
    await page.sidebar.close('left');
    await page.screenshot({ path: shot('home.png') });

    await row.getByRole('button', { name: 'Stop' }).click();
    await expect(row.getByRole('button', { name: 'Stopping…' })).toBeDisabled();
    expect((await api(page, 'GET', `runs/${live.id}`)).stop_requested).toBe(true);
    // The run's process learns it at its next log call and ends the run killed, as the SDK does.
    const answer = await api(page, 'POST', `runs/${live.id}/metrics`, {
      metrics: { loss: { steps: [5], values: [0.44] } }
    });
    expect(answer.stop_requested).toBe(true);
    await api(page, 'PATCH', `runs/${live.id}`, { status: 'killed' });
    await view.getByRole('button', { name: 'Refresh' }).click();
    await expect(row).toHaveCount(0);
    await expect(activity.locator('li[data-kind="run_killed"]', { hasText: 'training' }).first()).toBeVisible();

    // Each activity line opens its item: a run's page, a dataset's view.
    await activity
      .locator('li[data-kind="run_finished"]', { hasText: 'baseline' })
      .first()
      .locator('.jp-MLHubHome-activityLine')
      .click();
    await expect(page.locator(`.jp-MLHubRun[data-run-id="${done.id}"]`)).toBeVisible();
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'ML Hub Home' }).click();
    await activity
      .locator('li[data-kind="dataset_version"]', { hasText: dataset })
      .first()
      .locator('.jp-MLHubHome-activityLine')
      .click();
    await expect(page.locator(`.jp-MLHub-datasetView[data-dataset="${dataset}"]`)).toBeVisible({
      timeout: 30000
    });

    // The dark theme: the same page, theme colours only.
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme: 'JupyterLab Dark'
      });
    });
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'ML Hub Home' }).click();
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
    await expect(stat(view, 'Runs')).toBeVisible();
    await page.screenshot({ path: shot('home-dark.png') });
    await page.theme.setLightTheme();
  });

  test('opens from the command palette and from the top of each sidebar', async ({ page }) => {
    await page.keyboard.press('Control+Shift+c');
    const palette = page.locator('#command-palette');
    await expect(palette).toBeVisible();
    await palette.locator('.lm-CommandPalette-input').fill('ML Hub Home');
    await palette
      .locator('.lm-CommandPalette-item')
      .filter({ has: page.locator('.lm-CommandPalette-itemLabel', { hasText: /^ML Hub Home$/ }) })
      .click();
    await expect(home(page)).toBeVisible();
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'ML Hub Home' }).locator('.lm-TabBar-tabCloseIcon').click();
    await expect(home(page)).toHaveCount(0);

    for (const id of ['mlhub-experiments', 'mlhub-datasets', 'mlhub-models']) {
      await page.click(`.jp-SideBar [data-id="${id}"]`);
      await page.locator(`#${id}`).getByRole('button', { name: 'ML Hub Home' }).click();
      await expect(home(page)).toBeVisible();
      await expect(home(page).getByRole('region', { name: 'Counts' })).toBeVisible();
      await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'ML Hub Home' }).locator('.lm-TabBar-tabCloseIcon').click();
      await expect(home(page)).toHaveCount(0);
    }
    // The left bar holds one entry per concern: Experiments, Datasets, Models.
    await expect(page.locator('.jp-SideBar [data-id="mlhub-sidebar"]')).toHaveCount(0);
  });

  test("is the first tab of a new user's first session, and only of the first", async ({ page }) => {
    // The test server turns the first-load home off (so other tests start at the launcher);
    // turn it on in the page config, as a real server has it.
    await page.route(
      url => /\/lab(\/|$)/.test(url.pathname),
      async route => {
      if (route.request().resourceType() !== 'document') {
        return route.continue();
      }
      const response = await route.fetch();
      const body = (await response.text()).replace(
        '"mlhubOpenHomeOnFirstLoad": false',
        '"mlhubOpenHomeOnFirstLoad": true'
      );
      await route.fulfill({ response, body });
    });
    // A plain reload: galata's own goto/reload wait for the Launcher to be the active tab.
    const reload = async () => {
      await page.evaluate(() => window.location.reload());
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached', timeout: 60000 });
    };
    await reload();
    await expect(home(page)).toBeVisible({ timeout: 30000 });
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current')).toContainText('ML Hub Home');
    // Closed, it stays closed on the next load: the lab's state now records it.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'ML Hub Home' }).locator('.lm-TabBar-tabCloseIcon').click();
    await page.waitForTimeout(1000); // the lab writes its state (the workspace) shortly after
    await reload();
    // The restored layout may hold other tabs (so no launcher need show): wait until the lab
    // has restored and had time to open the home, then check it did not.
    await page.waitForFunction(() => (window as any).jupyterapp?.restored !== undefined, undefined, { timeout: 60000 });
    await page.evaluate(() => (window as any).jupyterapp.restored);
    await page.waitForTimeout(2000);
    await expect(home(page)).toHaveCount(0);
  });
});
