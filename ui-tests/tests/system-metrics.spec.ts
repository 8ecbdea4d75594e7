/**
 * The run page's System section (the SDK's `system/…` series, mlhub_ext/client/sysmetrics.py)
 * kept apart from the user's metrics, and a run's lab URL `?mlhub-run=<id>` (what
 * `mlhub_ext.wandb`'s `run.url` gives) opening its page.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { api } from './helpers';

function series(n: number, f: (i: number) => number): { steps: number[]; values: number[] } {
  const steps = Array.from({ length: n }, (_, i) => i);
  return { steps, values: steps.map(f) };
}

// What the SDK's sampler records on a machine without a GPU (names as in MLflow).
const SYSTEM = {
  'system/cpu_utilization_percentage': series(30, i => 60 + 30 * Math.sin(i / 3)),
  'system/system_memory_usage_megabytes': series(30, i => 5200 + 40 * i),
  'system/process_memory_rss_megabytes': series(30, i => 800 + 25 * i),
  'system/network_receive_megabytes': series(30, i => 1.5 * i)
};

function section(view: Locator, title: string): Locator {
  return view.getByRole('region', { name: title, exact: true });
}

test('a run URL opens its page, with system metrics in their own section', async ({ page, baseURL }) => {
  const run = await api(page, 'POST', 'runs', {
    project: `sysmetrics-${Date.now().toString(36)}`,
    name: 'with-system-metrics'
  });
  await api(page, 'POST', `runs/${run.id}/metrics`, {
    metrics: {
      loss: series(200, i => 1 / (1 + i / 10)),
      acc: series(200, i => 0.5 + i / 500),
      ...SYSTEM
    }
  });
  await api(page, 'PATCH', `runs/${run.id}`, { status: 'finished' });

  // The lab URL of mlhub_ext.wandb's run.url (`<server>/lab?mlhub-run=<id>`) opens the page.
  // (the frame's goto: galata's page.goto waits for the launcher, which this page replaces)
  await page.mainFrame().goto(`${baseURL}/lab?mlhub-run=${run.id}`);
  const view = page.locator(`.jp-MLHubRun[data-run-id="${run.id}"]`);
  await expect(view).toBeVisible({ timeout: 30000 });

  const metrics = section(view, 'Metrics');
  const system = section(view, 'System');
  await expect(metrics.locator('figure.jp-MLHubExp-chart')).toHaveCount(2);
  await expect(metrics.locator('figure[data-metric="loss"]')).toBeVisible();
  await expect(metrics.locator('figure[data-metric^="system/"]')).toHaveCount(0);
  await expect(system.locator('figure.jp-MLHubExp-chart')).toHaveCount(Object.keys(SYSTEM).length);
  for (const key of Object.keys(SYSTEM)) {
    await expect(system.locator(`figure[data-metric="${key}"]`)).toBeVisible();
  }
  // Each system chart has its series drawn (the latest value in the legend).
  await expect(
    system.locator('figure[data-metric="system/system_memory_usage_megabytes"] .jp-MLHubExp-latest')
  ).toHaveText(/6,?3\d\d/);
  // Room for two charts a row: a wide window and the left sidebar collapsed.
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.click('.jp-SideBar [data-id="filebrowser"]');
  await system.locator('h3').scrollIntoViewIfNeeded();
  await system.locator('h3').evaluate(el => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'test-results/system-metrics.png' });

  // A run without system metrics has no System section.
  const plain = await api(page, 'POST', 'runs', { project: run.project, name: 'plain' });
  await api(page, 'POST', `runs/${plain.id}/metrics`, { metrics: { loss: series(5, i => i) } });
  await page.mainFrame().goto(`${baseURL}/lab?mlhub-run=${plain.id}`);
  const plainView = page.locator(`.jp-MLHubRun[data-run-id="${plain.id}"]`);
  await expect(section(plainView, 'Metrics').locator('figure[data-metric="loss"]')).toBeVisible({
    timeout: 30000
  });
  await expect(section(plainView, 'System')).toHaveCount(0);
});

test("the user's metrics come before system ones: sidebar rows and the compare view", async ({ page }) => {
  const project = `sysorder-${Date.now().toString(36)}`;
  const run = await api(page, 'POST', 'runs', { project, name: 'mixed' });
  // `val_loss` sorts after `system/…`: a plain sort gives the row acc and two system metrics,
  // and the compare view val_loss after them.
  await api(page, 'POST', `runs/${run.id}/metrics`, {
    metrics: { acc: series(5, i => i / 10), val_loss: series(5, i => 1 / (1 + i)), ...SYSTEM }
  });
  const onlySystem = await api(page, 'POST', 'runs', { project, name: 'only-system' });
  await api(page, 'POST', `runs/${onlySystem.id}/metrics`, { metrics: SYSTEM });

  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const panel = page.locator('#mlhub-experiments');
  const select = panel.getByLabel('Project', { exact: true });
  await expect(select.locator(`option[value="${project}"]`)).toHaveCount(1);
  await select.selectOption(project);
  const row = panel.locator(`[data-run-id="${run.id}"]`);
  await expect(row.locator('.jp-MLHubExp-metric')).toHaveText(['acc=0.4', 'val_loss=0.2']);
  // A run that logged only system metrics still shows some.
  await expect(panel.locator(`[data-run-id="${onlySystem.id}"] .jp-MLHubExp-metric`)).toHaveText([
    /^system\/cpu_utilization_percentage=/,
    /^system\/network_receive_megabytes=/,
    /^system\/process_memory_rss_megabytes=/
  ]);

  await page.evaluate(async ids => {
    await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: ids });
  }, [run.id, onlySystem.id]);
  const compare = page.locator('.jp-MLHubExp-compare');
  const userThenSystem = ['acc', 'val_loss', ...Object.keys(SYSTEM).sort()];
  await expect(compare.locator('tr[data-field^="metrics."]')).toHaveCount(userThenSystem.length);
  expect(
    await compare.locator('tr[data-field^="metrics."]').evaluateAll(rows => rows.map(r => r.getAttribute('data-field')))
  ).toEqual(userThenSystem.map(k => `metrics.${k}`));
  await expect(compare.locator('figure[data-metric]')).toHaveCount(userThenSystem.length, { timeout: 30000 });
  expect(
    await compare.locator('figure[data-metric]').evaluateAll(figs => figs.map(f => f.getAttribute('data-metric')))
  ).toEqual(userThenSystem);
});
