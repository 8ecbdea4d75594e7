import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page, WebSocketRoute } from '@playwright/test';

import { hoverRows, nearestIndex } from '../../labextension/experiments/chartInteraction';
import { minmaxIndices, plotValue, SeriesBuffer } from '../../labextension/experiments/series';
import { shot } from '../shots';
import { api, API } from './helpers';

interface IRun {
  id: string;
  name: string;
  status: string;
}

function createRun(
  page: Page,
  project: string,
  name: string,
  config: Record<string, unknown>,
  tags: string[]
): Promise<IRun> {
  return api(page, 'POST', 'runs', { project, name, config, tags });
}

function logMetrics(
  page: Page,
  run: IRun,
  metrics: Record<string, number[]>,
  firstStep = 0
): Promise<any> {
  const body: Record<string, { steps: number[]; values: number[] }> = {};
  for (const [key, values] of Object.entries(metrics)) {
    body[key] = { steps: values.map((_, i) => firstStep + i), values };
  }
  return api(page, 'POST', `runs/${run.id}/metrics`, { metrics: body });
}

function sidebar(page: Page): Locator {
  return page.locator('#mlhub-experiments');
}

async function openSidebar(page: Page, project: string): Promise<Locator> {
  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const panel = sidebar(page);
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: 'Experiments' })).toBeVisible();
  const select = panel.getByLabel('Project', { exact: true });
  await expect(select.locator(`option[value="${project}"]`)).toHaveCount(1);
  await select.selectOption(project);
  return panel;
}

function runNames(panel: Locator): Locator {
  return panel.locator('.jp-MLHubExp-runName');
}

test.describe('Experiments', () => {
  test('filter, sort, select two runs and compare them live', async ({ page }) => {
    const project = `exp-${Date.now().toString(36)}`;
    const base = await createRun(page, project, 'baseline', { lr: 0.01, layers: 2 }, ['baseline']);
    const wide = await createRun(page, project, 'wide', { lr: 0.001, layers: 2 }, ['wide']);
    const deep = await createRun(page, project, 'deep', { lr: 0.0005, layers: 4 }, ['baseline']);
    await logMetrics(page, base, { acc: [0.5, 0.7, 0.8], loss: [0.9, 0.5, 0.4] });
    await logMetrics(page, wide, { acc: [0.6, 0.85, 0.95], loss: [0.8, 0.3, 0.2] });
    await logMetrics(page, deep, { acc: [0.55, 0.8, 0.92], loss: [0.85, 0.35, 0.25] });
    await api(page, 'PATCH', `runs/${base.id}`, { status: 'finished' });

    const panel = await openSidebar(page, project);
    await expect(runNames(panel)).toHaveText(['deep', 'wide', 'baseline']);
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('1–3 of 3');
    const baseRow = panel.locator(`[data-run-id="${base.id}"]`);
    await expect(baseRow.locator('.jp-MLHub-status')).toHaveText('finished');
    await expect(baseRow.locator('.jp-MLHubExp-tag')).toHaveText(['baseline']);
    await expect(baseRow.locator('.jp-MLHubExp-param')).toHaveText(['layers=2', 'lr=0.01']);
    await expect(baseRow.locator('.jp-MLHubExp-metric')).toHaveText(['acc=0.8', 'loss=0.4']);

    // The server's filter language; Enter applies it.
    const filter = panel.getByLabel('Filter runs');
    await filter.fill('metrics.acc > 0.9 and tags = baseline');
    await filter.press('Enter');
    await expect(runNames(panel)).toHaveText(['deep']);

    // A bad filter shows the server's own message, word for word.
    const bad = 'metrics.acc > high';
    const answer = await page.request.get(
      `${API}/runs?project=${project}&filter=${encodeURIComponent(bad)}`
    );
    expect(answer.status()).toBe(422);
    const served = (await answer.json()).error.message as string;
    await filter.fill(bad);
    await filter.press('Enter');
    await expect(panel.locator('.jp-MLHub-error')).toHaveText(served);

    await filter.fill('metrics.acc > 0.9');
    await filter.press('Enter');
    await expect(panel.locator('.jp-MLHub-error')).toHaveCount(0);
    await expect(runNames(panel)).toHaveText(['deep', 'wide']);
    await filter.fill('');
    await filter.press('Enter');

    // Sorting happens on the server: by a metric, then flipped.
    await panel.getByLabel('Sort runs by').selectOption('metrics.acc');
    await expect(runNames(panel)).toHaveText(['wide', 'deep', 'baseline']);
    await panel.getByRole('button', { name: 'Descending' }).click();
    await expect(runNames(panel)).toHaveText(['baseline', 'deep', 'wide']);
    await panel.getByLabel('Sort runs by').selectOption('name');
    await expect(runNames(panel)).toHaveText(['baseline', 'deep', 'wide']);

    await panel.getByLabel('Select run baseline').check();
    await panel.getByLabel('Select run wide').check();
    await panel.getByRole('button', { name: 'Compare (2)' }).click();

    const view = page.locator('.jp-MLHubExp-compare');
    await expect(view).toBeVisible();
    await expect(view.getByRole('heading', { name: 'Compare 2 runs' })).toBeVisible();
    const table = view.getByRole('table', { name: 'Run comparison' });
    await expect(table.locator('thead th')).toHaveText(['field', 'baseline', 'wide']);
    const row = (field: string) => table.locator(`tr[data-field="${field}"]`);
    await expect(row('params.lr')).toHaveAttribute('data-differs', 'true');
    await expect(row('params.lr')).toHaveClass(/jp-MLHubExp-differs/);
    await expect(row('params.layers')).toHaveAttribute('data-differs', 'false');
    await expect(row('status').locator('td')).toHaveText(['finished', 'running']);
    await expect(row('metrics.acc').locator('td')).toHaveText(['0.8', '0.95']);

    const accChart = view.locator('.jp-MLHubExp-chart[data-metric="acc"]');
    await expect(accChart.locator('canvas').first()).toBeVisible();
    const accCanvas = accChart.locator('.jp-MLHubExp-canvas');
    await expect(accCanvas).toHaveAttribute('data-total', '6');
    await expect(view.locator('.jp-MLHubExp-stream')).toHaveText('live');

    // A live run: batches logged through the API show up without a reload.
    const wideLatest = accChart.locator(`li[data-run-id="${wide.id}"] .jp-MLHubExp-latest`);
    await expect(wideLatest).toHaveText('0.95');
    await logMetrics(page, wide, { acc: [0.96, 0.97] }, 3);
    await expect(accCanvas).toHaveAttribute('data-total', '8');
    await expect(wideLatest).toHaveText('0.97');
    await logMetrics(page, wide, { acc: [0.975], loss: [0.15] }, 5);
    await expect(accCanvas).toHaveAttribute('data-total', '9');
    await expect(row('metrics.loss').locator('td')).toHaveText(['0.4', '0.15']);
    await api(page, 'PATCH', `runs/${wide.id}`, { status: 'finished' });
    await expect(row('status').locator('td')).toHaveText(['finished', 'finished']);
    await expect(row('status')).toHaveAttribute('data-differs', 'false');

    await page.screenshot({ path: shot('compare.png') });

    // Hovering names the step and the runs' values there; dragging zooms, double click resets.
    const over = accChart.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    const hover = accChart.locator('.jp-MLHubExp-hover');
    await expect(hover).toBeVisible();
    await expect(hover.locator('.jp-MLHubExp-hoverStep')).toHaveText('step 1');
    await expect(hover).toContainText('baseline 0.7');
    await expect(hover).toContainText('wide 0.85');
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect(accChart.locator('.jp-MLHubExp-zoomHint')).toBeVisible();
    await over.dblclick();
    await expect(accChart.locator('.jp-MLHubExp-zoomHint')).toHaveCount(0);
    await page.mouse.move(0, 0);
    await expect(hover).toHaveCount(0);

    // Only differences hides rows whose values agree.
    await view.getByLabel('Only differences').check();
    await expect(row('params.layers')).toHaveCount(0);
    await expect(row('params.lr')).toHaveCount(1);
  });

  test('pages through runs on the server and keeps the selection across pages', async ({
    page
  }) => {
    const project = `page-${Date.now().toString(36)}`;
    const runs: IRun[] = [];
    for (let i = 0; i < 30; i++) {
      runs.push(await createRun(page, project, `p${String(i).padStart(2, '0')}`, { i }, []));
    }
    const panel = await openSidebar(page, project);
    await panel.getByLabel('Sort runs by').selectOption('name');
    await panel.getByRole('button', { name: 'Descending' }).click();
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('1–25 of 30');
    await expect(runNames(panel)).toHaveCount(25);
    await expect(runNames(panel).first()).toHaveText('p00');
    await panel.getByLabel('Select run p03').check();

    await panel.getByRole('button', { name: 'Next page' }).click();
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('26–30 of 30');
    await expect(runNames(panel)).toHaveText(['p25', 'p26', 'p27', 'p28', 'p29']);
    await expect(panel.getByRole('button', { name: 'Next page' })).toBeDisabled();
    await panel.getByLabel('Select run p27').check();
    await expect(panel.getByRole('button', { name: 'Compare (2)' })).toBeEnabled();

    await panel.getByRole('button', { name: 'Previous page' }).click();
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('1–25 of 30');
    await expect(panel.getByLabel('Select run p03')).toBeChecked();
    await panel.getByRole('button', { name: 'Compare (2)' }).click();
    const table = page.getByRole('table', { name: 'Run comparison' });
    await expect(table.locator('thead th')).toHaveText(['field', 'p03', 'p27']);
    await expect(table.locator('tr[data-field="params.i"] td')).toHaveText(['3', '27']);
  });

  test('redraws at most 10 times a second while points pour in', async ({ page }) => {
    const project = `burst-${Date.now().toString(36)}`;
    const run = await createRun(page, project, 'burst', {}, []);
    await logMetrics(page, run, { loss: [1] });
    await page.evaluate(async id => {
      await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: [id] });
    }, run.id);
    const canvas = page.locator('.jp-MLHubExp-chart[data-metric="loss"] .jp-MLHubExp-canvas');
    await expect(canvas).toHaveAttribute('data-total', '1');
    await expect(page.locator('.jp-MLHubExp-stream')).toHaveText('live');

    const before = Number(await canvas.getAttribute('data-version'));
    const started = Date.now();
    const batches = 60;
    await Promise.all(
      Array.from({ length: batches }, (_, i) =>
        logMetrics(page, run, { loss: [1 / (i + 2)] }, i + 1)
      )
    );
    await expect(canvas).toHaveAttribute('data-total', String(batches + 1));
    const elapsed = Date.now() - started;
    const redraws = Number(await canvas.getAttribute('data-version')) - before;
    console.log(`${batches} live batches in ${elapsed} ms drew ${redraws} times`);
    expect(redraws).toBeGreaterThanOrEqual(1);
    expect(redraws).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
  });

  test('a dropped stream reconnects and fetches the points it missed', async ({ page }) => {
    const project = `drop-${Date.now().toString(36)}`;
    const run = await createRun(page, project, 'flaky', {}, []);
    await logMetrics(page, run, { loss: [1, 0.5] });

    // The first connection answers subscriptions but never forwards a point;
    // later ones go to the real server.
    let first: WebSocketRoute | null = null;
    let connections = 0;
    await page.routeWebSocket(/\/mlhub\/api\/v1\/stream/, ws => {
      connections++;
      if (connections > 1) {
        ws.connectToServer();
        return;
      }
      first = ws;
      ws.onMessage(message => {
        const parsed = JSON.parse(String(message));
        if (parsed.subscribe) {
          ws.send(JSON.stringify({ type: 'subscribed', runs: parsed.subscribe.runs, projects: [] }));
        }
      });
    });
    // Routing applies to pages loaded after it is set up.
    await page.goto();
    await page.evaluate(async id => {
      await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: [id] });
    }, run.id);
    const canvas = page.locator('.jp-MLHubExp-chart[data-metric="loss"] .jp-MLHubExp-canvas');
    const status = page.locator('.jp-MLHubExp-stream');
    await expect(canvas).toHaveAttribute('data-total', '2');
    await expect(status).toHaveText('live');

    await logMetrics(page, run, { loss: [0.25] }, 2);
    await page.waitForTimeout(500);
    await expect(canvas).toHaveAttribute('data-total', '2');

    await first!.close();
    await expect(canvas).toHaveAttribute('data-total', '3');
    await expect(status).toHaveText('live');
    expect(connections).toBe(2);
    await logMetrics(page, run, { loss: [0.125] }, 3);
    await expect(canvas).toHaveAttribute('data-total', '4');
    const latest = page.locator(`.jp-MLHubExp-legend li[data-run-id="${run.id}"] .jp-MLHubExp-latest`);
    await expect(latest).toHaveText('0.125');
  });

  test('palette commands open the sidebar and compare runs by id', async ({ page }) => {
    const project = `cmd-${Date.now().toString(36)}`;
    const a = await createRun(page, project, 'a', { lr: 0.1 }, []);
    const b = await createRun(page, project, 'b', { lr: 0.2 }, []);
    await logMetrics(page, a, { loss: [1, 0.5] });

    await page.keyboard.press('Control+Shift+c');
    const palette = page.locator('#command-palette');
    await palette.locator('.lm-CommandPalette-input').fill('Open Experiments');
    await palette.locator('.lm-CommandPalette-item', { hasText: 'Open Experiments' }).click();
    await expect(sidebar(page)).toBeVisible();

    await page.evaluate(
      async ids => {
        await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: ids });
      },
      [a.id, b.id]
    );
    const view = page.locator('.jp-MLHubExp-compare');
    await expect(view.getByRole('table', { name: 'Run comparison' }).locator('thead th')).toHaveText([
      'field',
      'a',
      'b'
    ]);
    await expect(view.locator('.jp-MLHubExp-chart[data-metric="loss"] canvas').first()).toBeVisible();
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Compare a, b' });
    await expect(tab).toHaveCount(1);

    // A much wider panel fetches the series again at its new width (series are fetched at
    // a panel's width: a wider window alone adds columns to the grid, larger panels widen).
    await expect(view).toHaveAttribute('data-max-points', /\d+/);
    const narrow = Number(await view.getAttribute('data-max-points'));
    await page.setViewportSize({ width: 1900, height: 800 });
    await view.getByLabel('Panel size').selectOption('L');
    await expect
      .poll(async () => Number(await view.getAttribute('data-max-points')))
      .toBeGreaterThan(narrow * 1.5);

    // The compare tab is restored after a reload (and is the active tab, not the launcher).
    await page.waitForTimeout(1500); // the layout is saved with a debounce
    await page.reload({ waitForIsReady: false });
    await expect(tab).toHaveCount(1);
    await expect(
      page.getByRole('table', { name: 'Run comparison' }).locator('thead th')
    ).toHaveText(['field', 'a', 'b']);
  });

  test('compare view follows the theme, also when it changes while open', async ({ page }) => {
    const project = `dark-${Date.now().toString(36)}`;
    const a = await createRun(page, project, 'a', { lr: 0.1 }, []);
    await logMetrics(page, a, { loss: [1, 0.5, 0.25] });
    await page.evaluate(async id => {
      await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: [id] });
    }, a.id);
    const view = page.locator('.jp-MLHubExp-compare');
    const chart = view.locator('.jp-MLHubExp-canvas');
    await expect(chart.locator('canvas').first()).toBeVisible();
    const lightAxis = await chart.getAttribute('data-axis-color');

    await page.theme.setDarkTheme();
    await expect(chart).not.toHaveAttribute('data-axis-color', lightAxis ?? '');
    const colors = await page.locator('.jp-MLHubExp-compareContent').evaluate(node => {
      const probe = document.createElement('div');
      probe.style.color = 'var(--jp-ui-font-color2)';
      document.body.appendChild(probe);
      const axis = getComputedStyle(probe).color;
      probe.remove();
      return [getComputedStyle(node).backgroundColor, getComputedStyle(node).color, axis];
    });
    const luminance = (rgb: string) =>
      (rgb.match(/\d+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number).reduce((s, c) => s + c, 0);
    expect(luminance(colors[0])).toBeLessThan(luminance(colors[1]));
    // The chart's axes were redrawn in the dark theme's text colour.
    const axis = (await chart.getAttribute('data-axis-color')) ?? '';
    const axisRgb = await page.evaluate(color => {
      const probe = document.createElement('div');
      probe.style.color = color;
      document.body.appendChild(probe);
      const rgb = getComputedStyle(probe).color;
      probe.remove();
      return rgb;
    }, axis);
    expect(axisRgb).toBe(colors[2]);
    await page.screenshot({ path: shot('compare-dark.png') });
  });

  test('100 runs x 10,000 points render within a few seconds', async ({ page }) => {
    test.setTimeout(180000);
    const project = `perf-${Date.now().toString(36)}`;
    const steps = Array.from({ length: 10000 }, (_, i) => i);
    const ids: string[] = [];
    const started = Date.now();
    for (let r = 0; r < 100; r++) {
      const run = await createRun(page, project, `r${String(r).padStart(3, '0')}`, { seed: r }, []);
      const values = steps.map(i => Math.exp(-i / (2000 + 30 * r)) + 0.05 * Math.sin(i / 50 + r));
      await api(page, 'POST', `runs/${run.id}/metrics`, { metrics: { loss: { steps, values } } });
      ids.push(run.id);
    }
    console.log(`logged 100 runs x 10,000 points in ${Date.now() - started} ms`);

    const t0 = await page.evaluate(() => performance.now());
    await page.evaluate(async runIds => {
      await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: runIds });
    }, ids);
    const canvas = page.locator('.jp-MLHubExp-chart[data-metric="loss"] .jp-MLHubExp-canvas');
    await expect(canvas).toHaveAttribute('data-total', '1000000', { timeout: 60000 });
    const t1 = await page.evaluate(() => performance.now());
    const drawn = Number(await canvas.getAttribute('data-points'));
    const maxPoints = Number(
      await page.locator('.jp-MLHubExp-compare').getAttribute('data-max-points')
    );
    const elapsed = t1 - t0;
    const fetchMs = await page.locator('.jp-MLHubExp-compare').getAttribute('data-load-ms');
    console.log(
      `compare view of 100 runs x 10,000 points rendered in ${Math.round(elapsed)} ms ` +
        `(REST fetch ${fetchMs} ms; max_points=${maxPoints} per series from the chart's width; ` +
        `${drawn} points drawn)`
    );
    // Fetched at the chart's pixel width, not at a fixed size nor in full.
    const width = await canvas.evaluate(node => node.clientWidth);
    expect(maxPoints).toBeGreaterThanOrEqual(width * 0.9);
    expect(drawn).toBeLessThanOrEqual(100 * maxPoints);
    expect(drawn).toBeGreaterThan(100 * 100);
    expect(elapsed).toBeLessThan(15000);

    // Still responsive: a redraw after a live point is quick.
    const redraw = await page.evaluate(() => {
      const t = performance.now();
      window.dispatchEvent(new Event('resize'));
      return performance.now() - t;
    });
    expect(redraw).toBeLessThan(1000);
  });
});

test.describe('Experiments chart data (no browser)', () => {
  test('min/max thinning keeps spikes, gaps and both ends', () => {
    const values: Array<number | null> = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10));
    values[123] = 50;
    values[777] = null;
    const keep = minmaxIndices(values, 100);
    expect(keep.length).toBeLessThanOrEqual(100);
    expect(keep[0]).toBe(0);
    expect(keep[keep.length - 1]).toBe(999);
    expect(keep).toContain(123);
    expect(keep).toContain(777);
    expect([...keep].sort((a, b) => a - b)).toEqual(keep);
    expect(minmaxIndices([1, 2, 3], 10)).toEqual([0, 1, 2]);
  });

  test('a series buffer drops points the fetch already had and thins long live tails', () => {
    const buffer = new SeriesBuffer(50);
    buffer.reset([0, 1, 2], [1, 'NaN', 0.5], 3);
    expect(Array.from(buffer.ys)).toEqual([1, NaN, 0.5]);
    expect(buffer.last).toBe(0.5);
    // Pushed while fetching: steps 1 and 2 were in the fetch, 3 is new.
    expect(buffer.append({ steps: [1, 2, 3], values: [9, 9, 0.25] }, buffer.lastStep)).toBe(1);
    expect(Array.from(buffer.xs)).toEqual([0, 1, 2, 3]);
    expect(buffer.total).toBe(4);
    const steps = Array.from({ length: 200 }, (_, i) => 4 + i);
    buffer.append({ steps, values: steps.map(s => 1 / s) });
    expect(buffer.total).toBe(204);
    expect(buffer.xs.length).toBeLessThanOrEqual(100);
    expect(buffer.xs[buffer.xs.length - 1]).toBe(203);
    expect(buffer.last).toBe(1 / 203);
    expect(plotValue('Infinity')).toBeNull();
  });

  test('hover finds the nearest step and orders runs by distance to the pointer', () => {
    expect(nearestIndex([0, 10, 20, 30], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20, 30], 16)).toBe(2);
    expect(nearestIndex([], 3)).toBe(-1);
    const rows = hoverRows(
      [
        { id: 'a', label: 'a', color: '#000', xs: [0, 1, 2], ys: [0.1, 0.2, 0.3] },
        { id: 'b', label: 'b', color: '#111', xs: [0, 2], ys: [0.9, 0.8] },
        { id: 'c', label: 'c', color: '#222', xs: [0, 1], ys: [null, null] }
      ],
      1.9,
      0.75
    );
    expect(rows.map(r => [r.id, r.step, r.value])).toEqual([
      ['b', 2, 0.8],
      ['a', 2, 0.3]
    ]);
  });
});
