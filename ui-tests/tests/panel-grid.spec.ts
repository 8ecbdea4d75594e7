/**
 * The compare view's panel grid: several panels per row, smoothing, log-y, the x axis
 * choice, a zoom shared by all panels, legend search and the collapsed System section.
 * Runs and their series are created through the REST API.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

import { shot } from '../shots';
import { api } from './helpers';

const RUNS = 12;
const STEPS = 200;

async function seed(page: Page): Promise<string[]> {
  const project = `grid-${Date.now().toString(36)}`;
  const t0 = Date.now() / 1000 - 3600;
  const ids: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const run = await api(page, 'POST', 'runs', {
      project,
      name: `r${String(r).padStart(2, '0')}`,
      config: { lr: 0.001 * (r + 1), opt: r % 2 ? 'adam' : 'sgd' },
      tags: []
    });
    const steps = Array.from({ length: STEPS }, (_, i) => i);
    // Two seconds per step, the runs starting a minute apart.
    const timestamps = steps.map(i => t0 + 60 * r + 2 * i);
    const noisy = (f: (i: number) => number) =>
      steps.map(i => f(i) + 0.05 * Math.sin(i * 1.7 + r) * Math.cos(i * 0.3));
    const series = (values: number[]) => ({ steps, values, timestamps });
    await api(page, 'POST', `runs/${run.id}/metrics`, {
      metrics: {
        loss: series(noisy(i => Math.exp(-i / (40 + 5 * r)) + 0.1)),
        acc: series(noisy(i => 1 - Math.exp(-i / (50 + 3 * r)))),
        'val/loss': series(noisy(i => Math.exp(-i / (45 + 5 * r)) + 0.15)),
        'val/acc': series(noisy(i => 0.95 - Math.exp(-i / (60 + 3 * r)))),
        'system/cpu_utilization_percentage': series(steps.map(i => 50 + 10 * Math.sin(i / 9 + r)))
      }
    });
    ids.push(run.id);
  }
  return ids;
}

function panel(view: Locator, metric: string): Locator {
  return view.locator(`.jp-MLHubExp-panel[data-metric="${metric}"]`);
}

function canvas(view: Locator, metric: string): Locator {
  return panel(view, metric).locator('.jp-MLHubExp-canvas');
}

async function attr(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name));
}

test('panel grid: several per row, smoothing, log-y, x axis, shared zoom, legend search', async ({
  page
}) => {
  test.setTimeout(120000);
  const ids = await seed(page);
  await page.evaluate(async runIds => {
    await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: runIds });
  }, ids);
  const view = page.locator('.jp-MLHubExp-compare');
  await expect(view.getByRole('heading', { name: `Compare ${RUNS} runs` })).toBeVisible();
  for (const metric of ['acc', 'loss', 'val/acc', 'val/loss']) {
    await expect(canvas(view, metric)).toHaveAttribute('data-total', String(RUNS * STEPS));
  }

  // Beyond 8 runs no side-by-side table: a note points to the runs table.
  await expect(view.getByRole('table', { name: 'Run comparison' })).toHaveCount(0);
  await expect(view.getByRole('note').first()).toContainText('runs table');

  // Several panels per row.
  const tops = await view
    .locator('.jp-MLHubExp-grid')
    .first()
    .locator('.jp-MLHubExp-panel')
    .evaluateAll(nodes => nodes.map(n => Math.round(n.getBoundingClientRect().top)));
  expect(tops.length).toBe(4);
  expect(tops[1]).toBe(tops[0]);

  // System metrics in their own section, collapsed.
  const system = view.locator('details.jp-MLHubExp-system');
  await expect(system).not.toHaveAttribute('open', '');
  await expect(system.locator('summary')).toHaveText('System (1)');

  // Legend: the top 10 and "show all"; the search filters every panel's legend.
  const legend = panel(view, 'loss').locator('.jp-MLHubExp-legend li[data-run-id]');
  await expect(legend).toHaveCount(10);
  await panel(view, 'loss').getByRole('button', { name: `show all ${RUNS}` }).click();
  await expect(legend).toHaveCount(RUNS);
  await view.getByLabel('Search runs in legends').fill('r03');
  await expect(legend).toHaveCount(1);
  await expect(legend).toHaveText(/r03/);
  await expect(panel(view, 'acc').locator('.jp-MLHubExp-legend li[data-run-id]')).toHaveCount(1);
  await view.getByLabel('Search runs in legends').fill('');

  await page.screenshot({ path: shot('compare-panels.png') });

  // Smoothing changes the drawn line; the raw one stays behind it.
  const loss = canvas(view, 'loss');
  const raw = await loss.getAttribute('data-line-sum');
  await view.getByLabel('Smoothing').fill('0.9');
  await expect(panel(view, 'loss')).toHaveAttribute('data-smoothing', '0.9');
  await expect(loss).not.toHaveAttribute('data-line-sum', raw ?? '');

  // Log y on one panel.
  await panel(view, 'loss').getByLabel('Log y loss').check();
  await expect(panel(view, 'loss')).toHaveAttribute('data-log-y', 'true');
  await expect(panel(view, 'acc')).toHaveAttribute('data-log-y', 'false');

  // The metric filter is a regex.
  await view.getByLabel('Filter metrics').fill('val/.*');
  await expect(view.locator('.jp-MLHubExp-panel')).toHaveCount(2);
  await view.getByLabel('Filter metrics').fill('');
  await expect(view.locator('.jp-MLHubExp-grid').first().locator('.jp-MLHubExp-panel')).toHaveCount(4);
  // A panel's own settings outlive its being filtered out.
  await expect(panel(view, 'loss')).toHaveAttribute('data-log-y', 'true');

  // X axis: wall time (epoch seconds), then time since each run's start.
  await view.getByLabel('X axis').selectOption('wall');
  await expect(panel(view, 'acc')).toHaveAttribute('data-x-axis', 'wall');
  await expect.poll(async () => attr(canvas(view, 'acc'), 'data-x-min')).toBeGreaterThan(1e9);
  await view.getByLabel('X axis').selectOption('relative');
  await expect(panel(view, 'acc')).toHaveAttribute('data-x-axis', 'relative');
  await expect.poll(async () => attr(canvas(view, 'acc'), 'data-x-max')).toBeLessThan(1e6);
  await view.getByLabel('X axis').selectOption('step');
  await expect(panel(view, 'acc')).toHaveAttribute('data-x-axis', 'step');
  await expect.poll(async () => attr(canvas(view, 'acc'), 'data-x-max')).toBe(STEPS - 1);

  // Zoom on one panel: every panel shows the same, narrower x range.
  const over = panel(view, 'loss').locator('.u-over');
  const box = (await over.boundingBox())!;
  const accYMin = await attr(canvas(view, 'acc'), 'data-y-min');
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(panel(view, 'loss').locator('.jp-MLHubExp-zoomHint')).toBeVisible();
  // The tooltip and crosshair of the point from before the zoom are gone until the next move.
  await expect(panel(view, 'loss').locator('.jp-MLHubExp-hover')).toHaveCount(0);
  await expect(panel(view, 'acc').locator('.jp-MLHubExp-crosshair')).toHaveCount(0);
  // The zoom re-fetched the visible range (its time is exposed for bench/ tools).
  await expect(view).toHaveAttribute('data-zoom-ms', /^\d+$/);
  await expect.poll(async () => attr(canvas(view, 'acc'), 'data-x-max')).toBeLessThan(STEPS * 0.6);
  const accRange = [await attr(canvas(view, 'acc'), 'data-x-min'), await attr(canvas(view, 'acc'), 'data-x-max')];
  expect(accRange[0]).toBeGreaterThan(STEPS * 0.1);
  for (const metric of ['loss', 'val/acc', 'val/loss']) {
    await expect(canvas(view, metric)).toHaveAttribute('data-x-min', String(accRange[0]));
    await expect(canvas(view, metric)).toHaveAttribute('data-x-max', String(accRange[1]));
  }
  // y fits the window (acc rises from 0: past step 40 every run's is over 0.35), not the points
  // outside it that a zoom keeps as edge anchors.
  expect(accYMin).toBeLessThan(0.1);
  await expect.poll(async () => attr(canvas(view, 'acc'), 'data-y-min')).toBeGreaterThan(0.2);
  // The crosshair follows the pointer in every panel.
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await expect(panel(view, 'acc').locator('.jp-MLHubExp-crosshair')).toBeVisible();
  await page.screenshot({ path: shot('compare-panels-zoomed.png') });
  await over.dblclick();
  await expect(panel(view, 'loss').locator('.jp-MLHubExp-zoomHint')).toHaveCount(0);
  await expect.poll(async () => attr(canvas(view, 'acc'), 'data-x-max')).toBe(STEPS - 1);

  // Colour by a numeric param: a continuous scale.
  await view.getByLabel('Colour by').selectOption('lr');
  await expect(view.locator('.jp-MLHubExp-colorScale')).toBeVisible();
  // lr 0.001..0.012 spans about one decade: linear, and the legend says so.
  await expect(view.locator('.jp-MLHubExp-colorScale')).toHaveAttribute('data-scale', 'linear');
  await expect(view.locator('.jp-MLHubExp-colorScaleKind')).toHaveText('linear scale');

  // Hide a run from the legend: one line fewer.
  const drawnBefore = await attr(canvas(view, 'acc'), 'data-points');
  await panel(view, 'acc').getByLabel('Hide run r00').click();
  await expect.poll(async () => attr(canvas(view, 'acc'), 'data-points')).toBeLessThan(drawnBefore);
  // The legend's top 10 lists the shown runs first: the hidden one drops out of it.
  await expect(panel(view, 'acc').locator('.jp-MLHubExp-legend li[data-run-id]')).toHaveCount(10);
  await expect(panel(view, 'acc').locator('.jp-MLHubExp-legend li[data-hidden="true"]')).toHaveCount(0);

  await page.theme.setDarkTheme();
  await expect(view.locator('.jp-MLHubExp-panel').first()).toBeVisible();
  // The dark theme trims viridis' near-black start off the scale (colorBy.ts scaleStart).
  await expect
    .poll(async () =>
      view.locator('.jp-MLHubExp-colorRamp').evaluate(el => getComputedStyle(el).backgroundImage)
    )
    .toContain('rgb(49, 107, 139)');
  await page.screenshot({ path: shot('compare-panels-dark.png') });
});

test('a zoom into a sparse series draws its line across the window from the points outside it', async ({
  page
}) => {
  const run = await api(page, 'POST', 'runs', {
    project: `sparse-${Date.now().toString(36)}`,
    name: 'sparse',
    config: {},
    tags: []
  });
  // Every 500 steps, value step / 1000.
  const steps = Array.from({ length: 21 }, (_, i) => i * 500);
  await api(page, 'POST', `runs/${run.id}/metrics`, {
    metrics: { 'val/lin': { steps, values: steps.map(s => s / 1000) } }
  });
  await page.evaluate(async runIds => {
    await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: runIds });
  }, [run.id]);
  const view = page.locator('.jp-MLHubExp-compare');
  const lin = canvas(view, 'val/lin');
  await expect(lin).toHaveAttribute('data-total', '21');
  // Zoom between two logged points (steps 5,000 and 5,500).
  const over = panel(view, 'val/lin').locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.51, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.54, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(panel(view, 'val/lin').locator('.jp-MLHubExp-zoomHint')).toBeVisible();
  await expect.poll(async () => attr(lin, 'data-x-max')).toBeLessThan(5500);
  expect(await attr(lin, 'data-x-min')).toBeGreaterThan(5000);
  // The two points either side are drawn (clipped by the plot), no "only null" note.
  await expect(lin).toHaveAttribute('data-points', '2');
  await expect(panel(view, 'val/lin').locator('.jp-MLHubExp-chartNote')).toHaveCount(0);
  // y fits the line inside the window (about 5.1 to 5.4).
  await expect.poll(async () => attr(lin, 'data-y-min')).toBeGreaterThan(4.9);
  expect(await attr(lin, 'data-y-max')).toBeLessThan(5.6);
});
