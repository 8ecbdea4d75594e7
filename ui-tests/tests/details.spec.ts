/**
 * Smaller things the views must get right (issue 10, item 8): Insert code reaches the
 * notebook the user works in or offers the code to copy; the dataset preview is exact and
 * aligned by type with the top values of text columns; the version compare marks a change
 * only beyond a tolerance; a torch version's loss chart fits its panel.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';

import { compareMetrics, differsBeyondTolerance, TOLERANCE_TEXT } from '../../labextension/models/compare';
import { shot } from '../shots';
import { api, registerCsv } from './helpers';

async function openDataset(page: Page, name: string): Promise<void> {
  await page.evaluate(async n => {
    await (window as any).jupyterapp.commands.execute('mlhub:open-dataset', { name: n });
  }, name);
}

const insertButton = (page: Page, name: string) =>
  page
    .locator(`.jp-MLHub-datasetView[data-dataset="${name}"]`)
    .getByRole('button', { name: 'Insert code to load' });

test.describe('Insert code', () => {
  test('with no notebook open, the code is shown with a Copy button that copies it', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const name = `copy_${Date.now().toString(36)}`;
    await registerCsv(page, `${name}.csv`, 'a,b\n1,2\n');
    await openDataset(page, name);
    await insertButton(page, name).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('No notebook open');
    const code = `import mlhub_ext as mh\n\ndf = mh.datasets.get("${name}", version=1).to_pandas()\ndf.head()`;
    await expect(dialog.getByLabel('code to copy')).toHaveText(code);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await expect(dialog).toHaveCount(0);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
  });

  test('goes into the most recently focused notebook, also after it lost focus or another closed', async ({
    page,
    tmpPath
  }) => {
    const name = `ins_${Date.now().toString(36)}`;
    await registerCsv(page, `${name}.csv`, 'a,b\n1,2\n');
    const line = `mh.datasets.get("${name}", version=1).to_pandas()`;
    const empty = JSON.stringify({
      cells: [{ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: '1 + 1' }],
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
      nbformat: 4,
      nbformat_minor: 5
    });
    for (const file of ['first.ipynb', 'second.ipynb']) {
      await page.contents.uploadContent(empty, 'text', `${tmpPath}/${file}`);
      await page.filebrowser.open(`${tmpPath}/${file}`);
    }
    // The dataset view is the current widget now; the last notebook focused is second.ipynb.
    await openDataset(page, name);
    await insertButton(page, name).click();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('second.ipynb');
    await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell').nth(1)).toContainText(line);

    // With the dataset view in front, close second.ipynb (a background tab, so no other
    // notebook becomes current): the code goes to first.ipynb, the one still open.
    await openDataset(page, name);
    await page
      .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'second.ipynb' })
      .locator('.lm-TabBar-tabCloseIcon')
      .click();
    await page.locator('.jp-Dialog').getByRole('button', { name: /Don.t Save|Discard/ }).click();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'second.ipynb' })).toHaveCount(0);
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('Dataset');
    await insertButton(page, name).click();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('first.ipynb');
    await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell')).toHaveCount(2);
    await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell').nth(1)).toContainText(line);
  });
});

test.describe('Dataset preview', () => {
  test('full precision, text left and numbers right, top values of text columns', async ({ page }) => {
    const name = `exact_${Date.now().toString(36)}`;
    await registerCsv(
      page,
      `${name}.csv`,
      'city,price,id\nOslo,0.1234567890123456,9007199254740993\nLima,2.5,-9223372036854775808\nOslo,3.25,2\nRome,1e-7,3\n'
    );
    await openDataset(page, name);
    const view = page.locator(`.jp-MLHub-datasetView[data-dataset="${name}"]`);
    const preview = view.getByRole('table', { name: 'preview' });
    const cells = preview.locator('tbody tr').first().locator('td');
    await expect(cells).toHaveText(['Oslo', '0.1234567890123456', '9007199254740993']);
    await expect(preview.locator('tbody tr').nth(1).locator('td').nth(2)).toHaveText('-9223372036854775808');
    await expect(preview.locator('tbody tr').nth(3).locator('td').nth(1)).toHaveText('1e-7');
    const align = (loc: ReturnType<typeof preview.locator>) => loc.evaluate(el => getComputedStyle(el).textAlign);
    expect(await align(cells.nth(0))).toBe('left');
    expect(await align(cells.nth(1))).toBe('right');
    expect(await align(preview.locator('thead th').first())).toBe('left');

    const stats = view.getByRole('table', { name: 'statistics' });
    await expect(stats.locator('tr[data-column="city"] td[data-stat="top"]')).toHaveText('Oslo (2), Lima (1), Rome (1)');
    await expect(stats.locator('tr[data-column="price"] td[data-stat="top"]')).toHaveText('–');
    // min and max of an integer column are exact too
    await expect(stats.locator('tr[data-column="id"]')).toContainText('-9223372036854775808');
    await expect(stats.locator('tr[data-column="id"]')).toContainText('9007199254740993');
  });
});

test.describe('Version compare tolerance (no browser)', () => {
  test('float noise is no change; beyond max(1e-9, 1e-6 x |value|) it is better or worse', () => {
    const version = (metrics: Record<string, number>): any => ({ metrics, spec: {} });
    const rows = compareMetrics(
      version({ accuracy: 0.1 + 0.2, rmse: 1e6, f1: 0.9, loss: 0.5, tiny: 1e-12 }),
      version({ accuracy: 0.3, rmse: 1e6 + 0.5, f1: 0.95, loss: 0.4999, tiny: 3e-12 })
    );
    const by = Object.fromEntries(rows.map(r => [r.metric, r]));
    expect(by.accuracy.diff).not.toBe(0); // 0.30000000000000004 vs 0.3: +/-5.6e-17
    expect(by.accuracy).toMatchObject({ changed: false, better: null });
    expect(by.rmse).toMatchObject({ changed: false, better: null }); // 0.5 on 1e6 is within 1e-6
    expect(by.tiny).toMatchObject({ changed: false, better: null }); // within the absolute 1e-9
    expect(by.f1).toMatchObject({ changed: true, better: 'right' });
    expect(by.loss).toMatchObject({ changed: true, better: 'right' }); // lower loss: 1e-4 > 1e-6 x 0.5
    expect(differsBeyondTolerance(1, 1 + 2e-16)).toBe(false);
    expect(differsBeyondTolerance(NaN, 1)).toBe(true);
    expect(TOLERANCE_TEXT).toContain('max(1e-9, 1e-6');
  });
});

test.describe('Model view charts', () => {
  test('a torch version shows its loss chart inside its panel, axis labels included', async ({ page }) => {
    test.setTimeout(240000);
    const suffix = Date.now().toString(36);
    const dataset = `loss_${suffix}`;
    const rows = ['a,b,label'];
    for (let i = 0; i < 60; i++) {
      rows.push(`${(i % 7) * 0.001},${(i * 37) % 11},${['x', 'y'][i % 2]}`);
    }
    await registerCsv(page, `${dataset}.csv`, rows.join('\n') + '\n');
    const name = `loss_mlp_${suffix}`;
    const job = await api(page, 'POST', 'jobs', { dataset, target: 'label', kind: 'torch_mlp', epochs: 4, batch_size: 8, name });
    await expect
      .poll(async () => (await api(page, 'GET', `jobs/${job.id}`)).state, { timeout: 180000 })
      .toBe('finished');
    await page.evaluate(async n => {
      await (window as any).jupyterapp.commands.execute('mlhub:open-model', { name: n });
    }, name);
    const chart = page.locator('.jp-MLHubModels-chart[data-chart="Loss"]');
    await expect(chart.locator('canvas')).toBeVisible({ timeout: 30000 });
    await chart.scrollIntoViewIfNeeded();
    const fit = await chart.evaluate(el => {
      const box = el.getBoundingClientRect();
      const plot = el.querySelector('.uplot') as HTMLElement;
      const inner = plot.getBoundingClientRect();
      const yAxis = el.querySelectorAll('.u-axis')[1] as HTMLElement | undefined;
      return {
        inside: inner.left >= box.left - 0.5 && inner.right <= box.right + 0.5,
        overflow: el.scrollWidth - el.clientWidth,
        yAxisWidth: yAxis ? yAxis.getBoundingClientRect().width : 0
      };
    });
    expect(fit.inside).toBe(true);
    expect(fit.overflow).toBeLessThanOrEqual(0);
    expect(fit.yAxisWidth).toBeGreaterThan(30);
    await chart.screenshot({ path: shot('models-loss-chart.png') });
  });
});
