/**
 * What a new user saw wrong in the lab, each a kind: a chart of a metric with only NaN
 * values, sidebars wider than JupyterLab's default sidebar width, a model view that
 * scrolls sideways, "Evaluate on" starting on an unrelated dataset, derived statistics
 * with false precision, a version compare stuck on v1/v2, a "live" badge on ended runs,
 * and an invalid filter that left the old run list looking filtered.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

import { formatValue } from '../../labextension/datasets/components/format';
import { defaultEvaluationDataset } from '../../labextension/models/trainBody';
import { shot } from '../shots';
import { api, registerCsv } from './helpers';

/** Three well-separated classes, `n` rows each: a classifier trains on it in a second. */
function blobsCsv(n: number): string {
  const rows = ['x1,x2,label'];
  ['a', 'b', 'c'].forEach((label, k) => {
    for (let i = 0; i < n; i++) {
      rows.push(`${(k * 10 + (i % 7) * 0.3).toFixed(2)},${(k * 5 - (i % 5) * 0.2).toFixed(2)},${label}`);
    }
  });
  return `${rows.join('\n')}\n`;
}

async function train(page: Page, dataset: string, name: string, trees: number): Promise<void> {
  const job = await api(page, 'POST', 'jobs', {
    dataset,
    target: 'label',
    estimator: 'sklearn.ensemble.RandomForestClassifier',
    params: { n_estimators: trees, random_state: 0 },
    name
  });
  await expect
    .poll(async () => (await api(page, 'GET', `jobs/${job.id}`)).state, { timeout: 120000 })
    .toBe('finished');
}

/** How far an element's content is wider than its box (0: no horizontal scrolling). */
function overflowX(el: Locator): Promise<number> {
  return el.evaluate(node => node.scrollWidth - node.clientWidth);
}

/** Sets the left sidebar to `width` px, as a user dragging its edge would. */
async function leftSidebarWidth(page: Page, width: number): Promise<void> {
  await page.evaluate(w => {
    // JupyterLab keeps no public setter; the shell's main split panel holds the sizes.
    const split = (window as any).jupyterapp.shell._hsplitPanel;
    const total = split.node.clientWidth;
    const sizes: number[] = split.relativeSizes();
    const left = w / total;
    const rest = sizes.slice(1).reduce((x, y) => x + y, 0);
    split.setRelativeSizes([left, ...sizes.slice(1).map(s => (s / rest) * (1 - left))]);
  }, width);
  const shown = await page.evaluate(() =>
    Math.round(document.getElementById('jp-left-stack')!.getBoundingClientRect().width)
  );
  // JupyterLab keeps a sidebar at least 250 px wide (its default): its panel is then ~245 px inside.
  expect(shown, `left sidebar ${shown} px`).toBeLessThanOrEqual(Math.max(width, 250));
}

async function openSide(page: Page, id: string): Promise<Locator> {
  const panel = page.locator(`#${id}`);
  if (!(await panel.isVisible())) {
    await page.click(`.jp-SideBar [data-id="${id}"]`);
  }
  await expect(panel).toBeVisible();
  return panel;
}

/** Non-transparent pixels on the chart's canvas: 0 when uPlot drew nothing at all. */
function inkedPixels(chart: Locator): Promise<number> {
  return chart.locator('canvas').first().evaluate(node => {
    const canvas = node as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) {
      inked += data[i] > 0 ? 1 : 0;
    }
    return inked;
  });
}

test.describe('What a new user saw wrong', () => {
  test('a metric with only NaN values draws axes and says so; an ended compare is not "live"', async ({ page }) => {
    const project = `fx-nan-${Date.now().toString(36)}`;
    const run = await api(page, 'POST', 'runs', { project, name: 'bad-values', config: {}, tags: [] });
    await api(page, 'POST', `runs/${run.id}/metrics`, {
      metrics: { loss: { steps: [0], values: ['NaN'] }, acc: { steps: [0, 1, 2], values: [0.5, 0.6, 0.7] } }
    });
    await api(page, 'PATCH', `runs/${run.id}`, { status: 'finished' });

    await page.evaluate(async id => {
      await (window as any).jupyterapp.commands.execute('mlhub:open-run', { run: id });
    }, run.id);
    const loss = page.locator(`#mlhub-run-${run.id} .jp-MLHubExp-chart[data-metric="loss"]`);
    await expect(loss.getByRole('note')).toHaveText('Only NaN values logged (1 point, step 0): no line to draw.');
    expect(await inkedPixels(loss)).toBeGreaterThan(0);
    // A run with finite values has no such note.
    const acc = page.locator(`#mlhub-run-${run.id} .jp-MLHubExp-chart[data-metric="acc"]`);
    await expect(acc.locator('canvas').first()).toBeVisible();
    await expect(acc.getByRole('note')).toHaveCount(0);
    await loss.screenshot({ path: shot('chart-nan.png') });
    await page.theme.setDarkTheme();
    await expect(loss.getByRole('note')).toBeVisible();
    expect(await inkedPixels(loss)).toBeGreaterThan(0);
    await loss.screenshot({ path: shot('chart-nan-dark.png') });
    await page.theme.setLightTheme();

    // Compare: the stream badge says "live" only while one of the runs runs.
    await page.evaluate(async id => {
      await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: [id] });
    }, run.id);
    const compare = page.locator('.jp-MLHubExp-compare');
    await expect(compare.locator('.jp-MLHubExp-chart[data-metric="loss"]').getByRole('note')).toBeVisible();
    await expect(compare.locator('.jp-MLHubExp-stream')).toHaveCount(0);
  });

  test('no sidebar scrolls sideways at 245 px; header buttons in one row', async ({ page }) => {
    const project = `fx-side-${Date.now().toString(36)}`;
    const run = await api(page, 'POST', 'runs', {
      project,
      name: 'a-run-with-a-rather-long-name-that-does-not-fit',
      config: { optimizer_learning_rate_schedule_with_warmup: 'cosine_with_restarts_and_a_long_tail' },
      tags: []
    });
    await api(page, 'POST', `runs/${run.id}/metrics`, {
      metrics: { 'system/cpu_utilization_percentage_of_all_cores': { steps: [0], values: [12.5] } }
    });

    const experiments = await openSide(page, 'mlhub-experiments');
    await leftSidebarWidth(page, 245);
    await experiments.getByRole('tab', { name: 'Runs' }).click();
    await experiments.getByLabel('Project', { exact: true }).selectOption(project);
    const metric = experiments.locator('.jp-MLHubExp-metric').first();
    await expect(metric).toHaveAttribute('title', 'system/cpu_utilization_percentage_of_all_cores=12.5');
    await expect.poll(() => overflowX(experiments)).toBeLessThanOrEqual(0);
    const refresh = experiments.getByRole('button', { name: 'Refresh' });
    const title = experiments.getByRole('heading', { name: 'Experiments' });
    expect(Math.abs((await refresh.boundingBox())!.y - (await title.boundingBox())!.y)).toBeLessThan(12);
    await experiments.screenshot({ path: shot('sidebar-experiments-245.png') });

    for (const [id, names] of [
      ['mlhub-datasets', ['ML Hub Home', 'Upload', 'Refresh']],
      ['mlhub-models', ['ML Hub Home', 'Train model', 'Import card', 'Refresh']]
    ] as Array<[string, string[]]>) {
      const panel = await openSide(page, id);
      await expect(panel.locator('.jp-MLHub-header').first()).toBeVisible();
      await expect.poll(() => overflowX(panel)).toBeLessThanOrEqual(0);
      // Every header button on the title's row, with its accessible name.
      const header = panel.locator('.jp-MLHub-header').first();
      const top = (await header.locator('.jp-MLHub-title').boundingBox())!;
      for (const name of names) {
        const box = (await header.getByRole('button', { name, exact: true }).boundingBox())!;
        expect(Math.abs(box.y + box.height / 2 - (top.y + top.height / 2)), `${id}: ${name}`).toBeLessThan(12);
      }
      await panel.screenshot({ path: shot(`sidebar-${id.replace('mlhub-', '')}-245.png`) });
    }
    // The models dashboard: four tiles, none cut off.
    const tiles = page.locator('#mlhub-models .jp-MLHubModels-tile');
    await expect(tiles).toHaveCount(4);
    for (const tile of await tiles.all()) {
      expect(await overflowX(tile)).toBeLessThanOrEqual(0);
    }
    await page.theme.setDarkTheme();
    await page.locator('#mlhub-models').screenshot({ path: shot('sidebar-models-245-dark.png') });
    await openSide(page, 'mlhub-datasets');
    await page.locator('#mlhub-datasets').screenshot({ path: shot('sidebar-datasets-245-dark.png') });
    await openSide(page, 'mlhub-experiments');
    await expect(experiments.locator('.jp-MLHubExp-metric').first()).toBeVisible();
    await experiments.screenshot({ path: shot('sidebar-experiments-245-dark.png') });
    await page.theme.setLightTheme();
  });

  test('an invalid filter dims the old run list and says it is not filtered', async ({ page }) => {
    const project = `fx-filter-${Date.now().toString(36)}`;
    await api(page, 'POST', 'runs', { project, name: 'kept', config: { lr: 0.1 }, tags: [] });
    const panel = await openSide(page, 'mlhub-experiments');
    await panel.getByRole('tab', { name: 'Runs' }).click();
    await panel.getByLabel('Project', { exact: true }).selectOption(project);
    await expect(panel.locator('.jp-MLHubExp-runName')).toHaveText(['kept']);
    const runs = panel.getByRole('list', { name: 'Runs' });
    await expect(runs).toHaveAttribute('data-stale', 'false');
    await panel.locator('.jp-MLHubExp-filter').fill('params.lr >>> 1');
    await panel.locator('.jp-MLHubExp-filter').press('Enter');
    await expect(panel.getByRole('alert')).toBeVisible();
    await expect(panel.getByRole('note')).toHaveText(
      'The runs below are not filtered by this query: they are the last list that loaded.'
    );
    await expect(runs).toHaveAttribute('data-stale', 'true');
    expect(Number(await runs.evaluate(el => getComputedStyle(el).opacity))).toBeLessThan(1);
  });

  test('64-bit ids: derived statistics without false precision, min and max exact', async ({ page }) => {
    const name = `fx_ids_${Date.now().toString(36)}`;
    await registerCsv(page, `${name}.csv`, 'id\n1577134800018164904\n1577134800018267738\n1577134800018164905\n');
    await page.evaluate(async n => {
      await (window as any).jupyterapp.commands.execute('mlhub:open-dataset', { name: n });
    }, name);
    const stats = page.getByRole('table', { name: 'statistics' });
    await expect(stats).toBeVisible();
    const row = stats.locator('tbody tr').first();
    const text = await row.innerText();
    expect(text).toContain('1577134800018164904'); // min, exact
    expect(text).toContain('1577134800018267738'); // max, exact
    expect(text).toMatch(/1\.\d{1,14}e\+18/); // mean and quantiles: at most 15 significant digits
    expect(text).not.toMatch(/15771348000\d{8}00/); // no float printed as a 19-digit integer
  });

  test('model view: evaluate on the holdout, compare the latest two, JSON wraps, no sideways scroll', async ({ page }) => {
    test.setTimeout(300000);
    const suffix = Date.now().toString(36);
    const dataset = `fx_blobs_${suffix}`;
    const name = `fx_rf_${suffix}`;
    await registerCsv(page, `${dataset}.csv`, blobsCsv(20));
    await registerCsv(page, `${dataset}_holdout.csv`, blobsCsv(5));
    await train(page, dataset, name, 2);
    await train(page, dataset, name, 3);
    // Uploaded last: what the form used to start with.
    await registerCsv(page, `fx_unrelated_${suffix}.csv`, 'a,b\n1,2\n');
    const inputs = Array.from({ length: 12 }, (_, i) => [i * 0.5, i * 0.25]);
    await api(page, 'POST', `models/${name}/predictions`, { version: 2, inputs });

    await page.setViewportSize({ width: 1200, height: 900 });
    await page.evaluate(async model => {
      await (window as any).jupyterapp.commands.execute('mlhub:open-model', { name: model, version: 2 });
    }, name);
    const view = page.locator(`.jp-MLHubModels-view[data-model="${name}"]`);
    await expect(view.getByRole('heading', { name: /Version 2/ })).toBeVisible();
    const evaluateOn = view.locator('select[aria-label="dataset to evaluate on"]');
    await expect(evaluateOn).toHaveValue(`${dataset}_holdout`);

    const comparison = view.getByRole('table', { name: 'version comparison' });
    await expect(comparison.locator('thead th').nth(1)).toHaveText('v1');
    await expect(comparison.locator('thead th').nth(2)).toHaveText('v2');

    // Inferences: the long inputs are cut with a disclosure; nothing makes the page scroll sideways.
    const table = view.getByRole('table', { name: 'inference results' });
    const cell = table.locator('td[data-col="inputs"]').first();
    await expect(cell.locator('details summary')).toBeVisible();
    await cell.locator('details summary').click();
    await expect(cell.locator('pre')).toContainText('5.5');
    const panel = page.locator(`#mlhub-model-${name}`);
    await expect.poll(() => overflowX(panel)).toBeLessThanOrEqual(0);
    expect(await overflowX(table)).toBeLessThanOrEqual(0);

    // The estimator path wraps at its dots; the params are a JSON block.
    expect(await view.locator('[data-spec="estimator"] dd wbr').count()).toBeGreaterThan(0);
    await expect(view.getByLabel('params', { exact: true })).toContainText('"n_estimators": 3');
    await panel.screenshot({ path: shot('model-view-fit.png') });
    await page.theme.setDarkTheme();
    await panel.screenshot({ path: shot('model-view-fit-dark.png') });
    await page.theme.setLightTheme();

    // A third version: the compare moves to v2 vs v3.
    await train(page, dataset, name, 4);
    await view.getByRole('button', { name: 'Refresh' }).click();
    await expect(view.locator('tr[data-version="3"]')).toBeVisible();
    await expect(comparison.locator('thead th').nth(1)).toHaveText('v2');
    await expect(comparison.locator('thead th').nth(2)).toHaveText('v3');
  });

  test('Evaluate on starts on the holdout of the training dataset, else on the training dataset', () => {
    const ds = (name: string, tags: string[] = []) => ({ name, tags }) as any;
    const version = (name: string | null) => ({ dataset: name === null ? null : { name, version: 1 } }) as any;
    const all = [ds('unrelated'), ds('iris_holdout'), ds('iris'), ds('wine'), ds('holdout-wine'), ds('wine_test', ['holdout'])];
    expect(defaultEvaluationDataset(all, version('iris'))).toBe('iris_holdout');
    expect(defaultEvaluationDataset(all, version('wine'))).toBe('holdout-wine');
    expect(defaultEvaluationDataset([ds('unrelated'), ds('cars')], version('cars'))).toBe('cars');
    expect(defaultEvaluationDataset([ds('unrelated'), ds('cars')], version('gone'))).toBe('unrelated');
    expect(defaultEvaluationDataset([], version(null))).toBe('');
  });

  test('derived statistics: 4 significant digits, scientific from 1e15 on with at most 15', () => {
    expect(formatValue(1577134800018165000)).toBe('1.57713480001816e+18'); // the double is ...164992
    expect(formatValue(BigInt('1577134800018164904'))).toBe('1.57713480001816e+18');
    expect(formatValue(1e15)).toBe('1e+15');
    expect(formatValue(-2.5e16)).toBe('-2.5e+16');
    expect(formatValue(999999999999999)).toBe('999999999999999');
    expect(formatValue(0.123456)).toBe('0.1235');
  });
});
