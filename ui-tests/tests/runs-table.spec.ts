/**
 * The runs table of a project (opened from the Experiments sidebar's "Table" button):
 * search, sorting on the server, the column choice kept across a reload, grouping with a
 * metric's mean, "select all matching", a virtualized body, parallel coordinates (a line
 * per run) and parameter importance (the param that determines the metric first), in
 * both themes.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

import { shot } from '../shots';
import { api } from './helpers';

const LRS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3];
const PER_LR = 5;

/** val_loss is a function of lr alone (best near 0.003); the optimizer is noise. */
function valLoss(lr: number): number {
  return Math.round((0.2 + 0.1 * Math.pow(Math.log10(lr) + 2.5, 2)) * 1e4) / 1e4;
}

async function seed(page: Page, project: string): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  LRS.forEach((lr, i) => {
    for (let s = 0; s < PER_LR; s++) {
      jobs.push(
        (async () => {
          const run = await api(page, 'POST', 'runs', {
            project,
            name: `lr${lr}-s${s}`,
            config: { lr, optimizer: (i + s) % 2 ? 'adam' : 'sgd' },
            tags: s === 0 ? ['first'] : []
          });
          const loss = valLoss(lr);
          await api(page, 'POST', `runs/${run.id}/metrics`, {
            metrics: { val_loss: { steps: [0, 1], values: [loss + 0.5, loss] } }
          });
        })()
      );
    }
  });
  await Promise.all(jobs);
}

async function openTable(page: Page, project: string): Promise<Locator> {
  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const panel = page.locator('#mlhub-experiments');
  await expect(panel).toBeVisible();
  const select = panel.getByLabel('Project', { exact: true });
  await expect(select.locator(`option[value="${project}"]`)).toHaveCount(1);
  await select.selectOption(project);
  await panel.getByRole('button', { name: 'Table', exact: true }).click();
  const view = page.locator('.jp-MLHubRT');
  await expect(view).toBeVisible();
  return view;
}

function runRows(view: Locator): Locator {
  return view.locator('.jp-MLHubRT-row[data-run-id]');
}

function firstCell(view: Locator, column: string): Locator {
  return runRows(view).first().locator(`[data-column="${column}"]`);
}

/** Cells whose text is below 4.5:1 against their effective background (simplified check). */
async function lowContrast(root: Locator, selector: string): Promise<string[]> {
  return root.evaluate((el, sel) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const rgba = (css: string): number[] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = 'rgba(0,0,0,0)';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const bgOf = (node: Element): number[] => {
      for (let n: Element | null = node; n; n = n.parentElement) {
        const c = rgba(getComputedStyle(n).backgroundColor);
        if (c[3] >= 1) {
          return c;
        }
      }
      return [255, 255, 255, 1];
    };
    const lum = (c: number[]) =>
      c
        .slice(0, 3)
        .map(v => v / 255)
        .map(s => (s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4)))
        .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
    const low: string[] = [];
    for (const cell of Array.from(el.querySelectorAll(sel))) {
      if (!(cell.textContent ?? '').trim()) {
        continue;
      }
      const [a, b] = [lum(rgba(getComputedStyle(cell).color)), lum(bgOf(cell))].sort((x, y) => y - x);
      if ((a + 0.05) / (b + 0.05) < 4.5) {
        low.push((cell.textContent ?? '').trim());
      }
    }
    return low;
  }, selector);
}

test.describe('Runs table', () => {
  test('sort, columns kept, group, select all, parallel coordinates, importance', async ({ page }) => {
    const project = `rt-${Date.now().toString(36)}`;
    await seed(page, project);
    const total = LRS.length * PER_LR;

    const view = await openTable(page, project);
    await expect(view.getByLabel('Matching runs')).toHaveText(`${total} runs`);
    // Virtualized: fewer rows in the DOM than runs; scrolling to the end shows the last ones.
    await expect(runRows(view).first()).toBeVisible();
    expect(await runRows(view).count()).toBeLessThan(total);
    const scroller = view.locator('.jp-MLHubRT-scroller');
    await scroller.evaluate(node => node.scrollTo(0, node.scrollHeight));
    await expect(runRows(view).last()).toHaveAttribute('aria-rowindex', String(total + 1));
    await scroller.evaluate(node => node.scrollTo(0, 0));

    // Sort by a param column: the server orders, a second click flips the direction.
    const lrHeader = view.locator('.jp-MLHubRT-th[data-column="params.lr"]');
    await lrHeader.getByRole('button').click();
    await expect(lrHeader).toHaveAttribute('aria-sort', 'descending');
    await expect(firstCell(view, 'params.lr')).toHaveText('0.3');
    await lrHeader.getByRole('button').click();
    await expect(lrHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect(firstCell(view, 'params.lr')).toHaveText('0.0001');
    const lossHeader = view.locator('.jp-MLHubRT-th[data-column="metrics.val_loss"]');
    await lossHeader.getByRole('button').click();
    await lossHeader.getByRole('button').click();
    await expect(lossHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect(firstCell(view, 'params.lr')).toHaveText('0.003');

    // Search: the filter language, and plain text found in names and tags.
    const search = view.getByLabel('Search runs');
    await search.fill('params.lr < 0.001');
    await search.press('Enter');
    await expect(view.getByLabel('Matching runs')).toHaveText(`${2 * PER_LR} runs`);
    await search.fill('first');
    await search.press('Enter');
    await expect(view.getByLabel('Matching runs')).toHaveText(`${LRS.length} runs`);
    await search.fill('');
    await search.press('Enter');
    await expect(view.getByLabel('Matching runs')).toHaveText(`${total} runs`);

    // Column choice: add owner, drop optimizer; kept for the project after a reload.
    await view.getByRole('button', { name: /^Columns/ }).click();
    const picker = view.getByRole('dialog', { name: 'Columns' });
    await picker.getByRole('checkbox', { name: /owner/ }).check();
    await picker.getByRole('checkbox', { name: /optimizer/ }).uncheck();
    await picker.getByRole('button', { name: 'Done' }).click();
    await expect(view.locator('.jp-MLHubRT-th[data-column="owner"]')).toHaveCount(1);
    await expect(view.locator('.jp-MLHubRT-th[data-column="params.optimizer"]')).toHaveCount(0);
    // galata's own reload waits for the Launcher, which the restored table tab replaces.
    await page.reload({ waitForIsReady: false });
    const again = page.locator('.jp-MLHubRT');
    await expect(again).toBeVisible();
    await expect(again.locator('.jp-MLHubRT-th[data-column="owner"]')).toHaveCount(1);
    await expect(again.locator('.jp-MLHubRT-th[data-column="params.optimizer"]')).toHaveCount(0);
    await expect(again.locator('.jp-MLHubRT-th[data-column="params.lr"]')).toHaveCount(1);

    // Group by lr: a header per value with its count and the metric's mean; expand one.
    const table = again;
    await table.getByLabel('Metric').selectOption('val_loss');
    await table.getByLabel('Group by').selectOption('params.lr');
    const headers = table.locator('.jp-MLHubRT-groupRow');
    await expect(headers).toHaveCount(LRS.length);
    const best = headers.filter({ hasText: 'lr = 0.003' });
    await expect(best.locator('.jp-MLHubRT-groupCount')).toHaveText(`${PER_LR} runs`);
    await expect(best.locator('.jp-MLHubRT-groupStats')).toContainText(
      `val_loss: mean ${valLoss(0.003)}`
    );
    await best.getByRole('button').click();
    await expect(runRows(table)).toHaveCount(PER_LR);
    await expect(runRows(table).locator('[data-column="params.lr"]')).toHaveText(
      Array(PER_LR).fill('0.003')
    );
    await page.screenshot({ path: shot('runs-table-groups.png') });
    await best.getByRole('button').click();
    await expect(runRows(table)).toHaveCount(0);
    await table.getByLabel('Group by').selectOption('');

    // Select all matching: every run's id from the server.
    await table.getByRole('button', { name: 'Select all matching' }).click();
    await expect(table.getByLabel('Selected runs')).toHaveText(`${total} selected`);
    await expect(table.getByRole('button', { name: `Compare (${total})` })).toBeEnabled();
    await page.screenshot({ path: shot('runs-table.png') });
    await table.getByRole('button', { name: 'Clear' }).click();
    await expect(table.getByLabel('Selected runs')).toHaveText('0 selected');

    // Parallel coordinates: a line per run, an axis per param and the metric.
    await table.getByRole('tab', { name: 'Parallel coordinates' }).click();
    const lines = table.locator('path.jp-MLHubRT-pcLine');
    await expect(lines).toHaveCount(total);
    await expect(table.locator('.jp-MLHubRT-pcAxis')).toHaveCount(3);
    await page.screenshot({ path: shot('runs-parallel.png') });
    // Brushing the lowest tenth of val_loss keeps the runs of lr 0.001, 0.003 and 0.01.
    const area = table.locator('.jp-MLHubRT-brushArea[data-axis="metrics.val_loss"]');
    const box = (await area.boundingBox())!;
    const plot = box.height - 8;
    await page.mouse.move(box.x + box.width / 2, box.y + 4 + plot + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 4 + plot * 0.9, { steps: 5 });
    await page.mouse.up();
    await expect(table.locator('.jp-MLHubRT-brushed')).toContainText(
      `${3 * PER_LR} of ${total} runs in the brushed ranges`
    );
    await expect(table.locator('path.jp-MLHubRT-pcLine:not(.jp-mod-faded)')).toHaveCount(3 * PER_LR);
    await page.screenshot({ path: shot('runs-parallel-brushed.png') });
    await table.getByRole('button', { name: `Select these ${3 * PER_LR}` }).click();
    await expect(table.getByLabel('Selected runs')).toHaveText(`${3 * PER_LR} selected`);
    await table.getByRole('button', { name: 'Clear', exact: true }).click();
    await table.getByRole('button', { name: 'Clear brushes' }).click();
    await expect(lines).toHaveCount(total);

    // Importance: lr determines val_loss, the optimizer is noise.
    await table.getByRole('tab', { name: 'Importance' }).click();
    const rows = table.getByRole('table', { name: 'Parameter importance' }).locator('tbody tr');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toHaveAttribute('data-param', 'lr');
    await expect(table.locator('circle.jp-MLHubRT-dot')).toHaveCount(total);
    await page.screenshot({ path: shot('runs-importance.png') });

    // Dark theme: the table's text stays readable.
    await page.theme.setDarkTheme();
    await table.getByRole('tab', { name: 'Table' }).click();
    await expect(runRows(table).first()).toBeVisible();
    expect(await lowContrast(table, '.jp-MLHubRT-td, .jp-MLHubRT-label, .jp-MLHubRT-total')).toEqual([]);
    await page.screenshot({ path: shot('runs-table-dark.png') });
    await table.getByRole('tab', { name: 'Parallel coordinates' }).click();
    await expect(lines).toHaveCount(total);
    await page.screenshot({ path: shot('runs-parallel-dark.png') });
    await table.getByRole('tab', { name: 'Importance' }).click();
    await expect(rows.first()).toHaveAttribute('data-param', 'lr');
    expect(await lowContrast(table, '.jp-MLHubRT-importanceTable td')).toEqual([]);
    await page.screenshot({ path: shot('runs-importance-dark.png') });
  });

  test('importance shows the server’s error word for word', async ({ page }) => {
    const project = `rt-err-${Date.now().toString(36)}`;
    const run = await api(page, 'POST', 'runs', { project, name: 'only', config: { lr: 0.1 } });
    await api(page, 'POST', `runs/${run.id}/metrics`, {
      metrics: { val_loss: { steps: [0], values: [0.5] } }
    });
    const answer = await page.request.get(`/mlhub/api/v1/projects/${project}/insights?metric=val_loss`);
    expect(answer.status()).toBe(422);
    const served = (await answer.json()).error.message as string;
    const view = await openTable(page, project);
    await expect(view.getByLabel('Matching runs')).toHaveText('1 run');
    await view.getByRole('tab', { name: 'Importance' }).click();
    await expect(view.locator('.jp-MLHub-error')).toHaveText(served);
  });

  test('10,000 runs: only the rows in view are in the DOM, pages fetched as they scroll', async ({ page }) => {
    // The server is stood in for by a route answering any page of 10,000 synthetic runs.
    const TOTAL = 10000;
    const asked: number[] = [];
    await page.route(/\/mlhub\/api\/v1\/runs\?.*project=virtual-10k/, async route => {
      const url = new URL(route.request().url());
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      asked.push(offset);
      const runs = [];
      for (let i = offset; i < Math.min(TOTAL, offset + limit); i++) {
        runs.push({
          id: i.toString(16).padStart(32, '0'),
          project: 'virtual-10k',
          name: `run-${i}`,
          owner: 'me',
          status: 'finished',
          params: { lr: 10 ** -(i % 5), seed: i },
          tags: [],
          summary: {},
          provenance: {},
          notes: '',
          created_at: '2026-11-30T09:00:00Z',
          updated_at: '2026-11-30T09:00:00Z',
          finished_at: '2026-11-30T09:10:00Z',
          latest_metrics: { loss: 1 / (1 + i) },
          last_seq: 0
        });
      }
      await route.fulfill({ json: { runs, total: TOTAL } });
    });
    const started = Date.now();
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('mlhub:open-runs-table', { project: 'virtual-10k' });
    });
    const view = page.locator('.jp-MLHubRT');
    await expect(runRows(view).first()).toContainText('run-0');
    const firstRowsMs = Date.now() - started;
    await expect(view.getByLabel('Matching runs')).toHaveText('10000 runs');
    expect(await runRows(view).count()).toBeLessThan(80);

    const scroller = view.locator('.jp-MLHubRT-scroller');
    await scroller.evaluate(node => node.scrollTo(0, 28 * 5000));
    await expect(view.locator('.jp-MLHubRT-row[aria-rowindex="5002"]')).toContainText('run-5000');
    expect(await view.locator('.jp-MLHubRT-row').count()).toBeLessThan(80);
    // Only the first page and the pages around row 5,000 were asked for.
    expect(asked.length).toBeLessThanOrEqual(4);
    expect(asked).toContain(5000);
    // Scrolling through a stretch of rows: each frame re-renders only the rows in view.
    const frameMs = await scroller.evaluate(async node => {
      const times: number[] = [];
      for (let k = 0; k < 30; k++) {
        const t0 = performance.now();
        node.scrollTop += 280;
        await new Promise(resolve => requestAnimationFrame(() => resolve(null)));
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)];
    });
    console.log(`10,000 runs: first rows after ${firstRowsMs} ms; median frame while scrolling ${frameMs.toFixed(1)} ms`);
    expect(frameMs).toBeLessThan(100);
  });
});
