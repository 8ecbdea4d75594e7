/**
 * Both themes, every view: each ML Hub view is screenshotted in JupyterLab Light and Dark
 * (themes-*-light.png / -dark.png; `make screenshots` writes them to docs/screenshots/),
 * every table cell's text is checked against its effective background for WCAG AA
 * contrast (4.5:1), and the bokeh figures of mh.live and mh.plots take the theme's
 * colours and follow a theme change.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { shot } from '../shots';
import { api, registerCsv } from './helpers';

async function trainVersion(page: Page, dataset: string, name: string, params: Record<string, unknown>): Promise<any> {
  const job = await api(page, 'POST', 'jobs', {
    dataset,
    target: 'label',
    estimator: 'sklearn.ensemble.RandomForestClassifier',
    params,
    name
  });
  await expect
    .poll(async () => (await api(page, 'GET', `jobs/${job.id}`)).state, { timeout: 120000 })
    .toBe('finished');
  return api(page, 'GET', `jobs/${job.id}`);
}

interface ILowContrast {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

/**
 * Text/background contrast of every cell under `root` matching `selector`: the text
 * colour composited over the effective background, which is the cell's own background
 * composited over those of its ancestors (transparent ones skipped) down to the first
 * opaque one. Colours are read back from a canvas pixel, so any CSS colour syntax
 * (color-mix, color(srgb ...), rgba) is handled as the browser renders it.
 */
async function contrastOf(root: Locator, selector: string): Promise<{ cells: number; low: ILowContrast[] }> {
  return root.evaluate((el, sel) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const rgba = (css: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = 'rgba(0,0,0,0)';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      // getImageData un-premultiplies; a fully transparent pixel reads (0,0,0,0)
      return [r, g, b, a / 255];
    };
    const over = (top: number[], bottom: number[]): number[] => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) {
        return [0, 0, 0, 0];
      }
      return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat(a);
    };
    const background = (node: Element): number[] => {
      const layers: number[][] = [];
      for (let n: Element | null = node; n; n = n.parentElement) {
        const c = rgba(getComputedStyle(n).backgroundColor);
        if (c[3] > 0) {
          layers.push(c);
          if (c[3] >= 1) {
            break;
          }
        }
      }
      let result = [255, 255, 255, 1]; // the canvas of the page under everything
      for (const layer of layers.reverse()) {
        result = over(layer, result);
      }
      return result;
    };
    const luminance = (c: number[]): number => {
      const lin = c.slice(0, 3).map(v => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    };
    const cells = Array.from(el.querySelectorAll(sel)).filter(c => (c.textContent ?? '').trim() !== '');
    const low = [];
    for (const cell of cells) {
      const bg = background(cell);
      const fg = over(rgba(getComputedStyle(cell).color), bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < 4.5) {
        low.push({
          text: (cell.textContent ?? '').trim().slice(0, 40),
          ratio: Math.round(ratio * 100) / 100,
          color: fg.map(Math.round).join(','),
          background: bg.map(Math.round).join(',')
        });
      }
    }
    return { cells: cells.length, low };
  }, selector);
}

async function expectReadable(root: Locator, selector: string, label: string): Promise<void> {
  const { cells, low } = await contrastOf(root, selector);
  expect(cells, `${label}: cells checked`).toBeGreaterThan(0);
  expect(low, `${label}: cells below 4.5:1`).toEqual([]);
}

/** The background colour of every ML Hub bokeh plot on the page, as BokehJS holds it. */
async function bokehBackgrounds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bokeh = (window as any).Bokeh;
    const found: string[] = [];
    for (const doc of bokeh?.documents ?? []) {
      for (const model of doc.all_models) {
        if (Array.isArray(model.tags) && model.tags.includes('mlhub-themed')) {
          found.push(String(model.background_fill_color));
        }
      }
    }
    return found;
  });
}

/** `--jp-layout-color0` of the theme now in force, normalised as a canvas does (#rrggbb). */
async function layoutColor0(page: Page): Promise<string> {
  return page.evaluate(() => {
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.fillStyle = getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim();
    return String(ctx.fillStyle);
  });
}

const IRIS_LIKE = (() => {
  const rows = ['a,b,label'];
  for (let i = 0; i < 60; i++) {
    rows.push(`${(i % 7) + 0.1 * (i % 3)},${(i * 37) % 11},${['x', 'y', 'z'][i % 3]}`);
  }
  return rows.join('\n') + '\n';
})();

test.describe('Themes', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('every view in Light and Dark: screenshots, table contrast, bokeh figures follow the theme', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(420000);
    const suffix = Date.now().toString(36);

    // Runs that differ (highlighted rows in the compare table).
    const project = `themes-${suffix}`;
    const runs = [];
    for (const [name, lr, layers] of [
      ['baseline', 0.01, 2],
      ['wide', 0.001, 2],
      ['deep', 0.0005, 4]
    ] as const) {
      const run = await api(page, 'POST', 'runs', { project, name, config: { lr, layers }, tags: [name] });
      const acc = [0.5, 0.7, 0.8].map(v => v + lr * 10 + layers / 100);
      await api(page, 'POST', `runs/${run.id}/metrics`, {
        metrics: {
          acc: { steps: [0, 1, 2], values: acc },
          loss: { steps: [0, 1, 2], values: acc.map(v => 1 - v) }
        }
      });
      runs.push(run);
    }
    await api(page, 'PATCH', `runs/${runs[0].id}`, { status: 'finished' });

    // A dataset with text, floats and integers beyond 2**53.
    const datasetName = `themes_data_${suffix}`;
    await registerCsv(
      page,
      `${datasetName}.csv`,
      'city,price,id\nOslo,0.1234567890123,9007199254740993\nLima,2.5,1\nOslo,3.25,2\nRome,1e-7,3\n'
    );
    // A model with two versions (version compare).
    const trainSet = `themes_train_${suffix}`;
    await registerCsv(page, `${trainSet}.csv`, IRIS_LIKE);
    const model = `themes_rf_${suffix}`;
    await trainVersion(page, trainSet, model, { n_estimators: 5, max_depth: 2, random_state: 0 });
    await trainVersion(page, trainSet, model, { n_estimators: 9, max_depth: 1, random_state: 1 });

    // A notebook with mh.live (a finished run) and mh.plots.
    const nbName = `themes-${suffix}.ipynb`;
    const nbPath = `${tmpPath}/${nbName}`;
    const cell = (source: string): any => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
    const notebook = {
      cells: [
        cell(`import mlhub_ext as mh\nrun = mh.init(${JSON.stringify(project)}, name="live")\nlive = mh.live(run, metrics=["loss", "acc"])\nlive`),
        cell(
          'for i in range(40): run.log({"loss": 1 / (i + 1), "acc": i / 40}, step=i)\n' +
            'run.finish()\nlive.refresh()'
        ),
        cell(
          'ev = {"confusion_matrix": {"labels": ["cat", "dog"], "matrix": [[8, 2], [1, 9]]},\n' +
            '      "roc": [{"label": "dog", "fpr": [0, 0.1, 1], "tpr": [0, 0.9, 1], "auc": 0.9}],\n' +
            '      "pr": [{"label": "dog", "recall": [0, 0.9, 1], "precision": [1, 0.9, 0.5], "average_precision": 0.88}],\n' +
            '      "loss_curve": [{"epoch": e, "loss": 1 / e, "val_loss": 1.3 / e} for e in range(1, 11)]}\n' +
            'figs = mh.plots(ev, show=True)'
        )
      ],
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
      nbformat: 4,
      nbformat_minor: 5
    };
    await page.contents.uploadContent(JSON.stringify(notebook), 'text', nbPath);
    await page.filebrowser.open(nbPath);
    await page.notebook.run();
    const nb = page.locator('.jp-NotebookPanel').first();
    await expect(nb.locator('.jp-OutputArea-output', { hasText: 'points' }).first()).toContainText('finished · 2 metrics · 80 points', { timeout: 60000 });
    // mh.live's widget view is created at once: BokehJS must already be there (bokehLoader.ts).
    await expect(nb.locator('.jp-OutputArea-output', { hasText: /Failed to create view|javascript error/ })).toHaveCount(0);
    await expect.poll(async () => (await bokehBackgrounds(page)).length, { timeout: 90000 }).toBeGreaterThanOrEqual(5);
    // mh.plots lays its four figures out within the cell's width (they wrap onto a second line).
    const plotsOutput = nb.locator('.jp-Cell').nth(2).locator('.jp-OutputArea');
    const layout = await plotsOutput.evaluate(el => {
      const area = el.getBoundingClientRect();
      const figures: DOMRect[] = [];
      const visit = (root: Element | ShadowRoot): void => {
        root.querySelectorAll('*').forEach(node => {
          if (node.classList.contains('bk-Figure') || node.tagName.toLowerCase() === 'bk-figure') {
            figures.push(node.getBoundingClientRect());
          }
          if (node.shadowRoot) {
            visit(node.shadowRoot);
          }
        });
      };
      visit(el);
      return {
        right: area.right,
        figures: figures.map(f => ({ left: f.left, right: f.right, top: Math.round(f.top) }))
      };
    });
    expect(layout.figures).toHaveLength(4);
    for (const f of layout.figures) {
      expect(f.right).toBeLessThanOrEqual(layout.right + 1);
    }
    expect(new Set(layout.figures.map(f => f.top)).size).toBeGreaterThan(1);

    // The compare view and the model and dataset views, each in its own tab.
    await page.evaluate(async ids => {
      await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: ids });
    }, runs.map(r => r.id));
    const compare = page.locator('.jp-MLHubExp-compare');
    await expect(compare.getByRole('table', { name: 'Run comparison' }).locator('tr.jp-MLHubExp-differs').first()).toBeVisible();

    for (const theme of ['light', 'dark'] as const) {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      } else {
        await page.theme.setLightTheme();
      }
      await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', theme === 'light' ? 'true' : 'false');

      // Notebook: every ML Hub bokeh plot has the theme's background (mh.live and mh.plots;
      // a figure sent again leaves its earlier BokehJS document in the list, themed too).
      await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: nbName }).click();
      const expected = await layoutColor0(page);
      await expect
        .poll(async () => new Set(await bokehBackgrounds(page)), { timeout: 10000 })
        .toEqual(new Set([expected]));
      await nb.locator('.jp-Cell').nth(0).scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`themes-notebook-live-${theme}.png`) });
      const plots = nb.locator('.jp-Cell').nth(2).locator('.jp-OutputArea');
      await plots.scrollIntoViewIfNeeded();
      await plots.screenshot({ path: shot(`themes-notebook-plots-${theme}.png`) });

      // Compare view: the highlighted (differing) rows and every other cell readable.
      await page.evaluate(async ids => {
        await (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: ids });
      }, runs.map(r => r.id));
      await expect(compare).toBeVisible();
      const compareTable = compare.getByRole('table', { name: 'Run comparison' });
      await expectReadable(compareTable, 'tr.jp-MLHubExp-differs td, tr.jp-MLHubExp-differs th', `${theme} compare highlighted`);
      await expectReadable(compareTable, 'td, th', `${theme} compare table`);
      await page.screenshot({ path: shot(`themes-compare-${theme}.png`) });

      // Models sidebar and the model view's version compare.
      await page.sidebar.openTab('mlhub-models');
      const models = page.locator('#mlhub-models');
      await models.getByRole('button', { name: 'Refresh' }).click();
      await page.evaluate(async name => {
        await (window as any).jupyterapp.commands.execute('mlhub:open-model', { name });
      }, model);
      const view = page.locator('.jp-MLHubModels-view').filter({ hasText: model }).first();
      const versionCompare = view.getByRole('table', { name: 'version comparison' });
      await expect(versionCompare.locator('tr[data-metric="accuracy"]')).toBeVisible({ timeout: 30000 });
      await expectReadable(versionCompare, 'td, th', `${theme} version compare`);
      await expectReadable(view, 'table td, table th, .jp-MLHubModels-stage, .jp-MLHub-status', `${theme} model view`);
      await expectReadable(models, '.jp-MLHub-status, .jp-MLHubModels-stage', `${theme} job and stage badges`);
      // The progress text says what came of a job, not its state again.
      await expect(models.locator('.jp-MLHubModels-jobMessage').first()).toHaveText(/^registered as v\d · 100%$/);
      await view.locator('section[aria-label="compare versions"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`themes-models-${theme}.png`) });

      // Dataset view: preview and statistics tables.
      await page.evaluate(async name => {
        await (window as any).jupyterapp.commands.execute('mlhub:open-dataset', { name });
      }, datasetName);
      const dataset = page.locator(`.jp-MLHub-datasetView[data-dataset="${datasetName}"]`);
      await expect(dataset.getByRole('table', { name: 'preview' })).toContainText('9007199254740993');
      await expectReadable(dataset, '.jp-MLHub-table td, .jp-MLHub-table th', `${theme} dataset tables`);
      await page.sidebar.openTab('mlhub-datasets');
      await page.screenshot({ path: shot(`themes-dataset-${theme}.png`) });

      // The experiments sidebar with its run list and status badges.
      await page.sidebar.openTab('mlhub-experiments');
      const experiments = page.locator('#mlhub-experiments');
      await experiments.getByRole('tab', { name: 'Runs' }).click();
      await experiments.getByLabel('Project', { exact: true }).selectOption(project);
      await expect(experiments.locator('.jp-MLHubExp-runName')).toHaveCount(4);
      await expectReadable(experiments, '.jp-MLHub-status, .jp-MLHubExp-tag', `${theme} experiments badges`);
      await experiments.screenshot({ path: shot(`themes-sidebar-experiments-${theme}.png`) });

      // The run page: its tables and badges.
      await page.evaluate(async id => {
        await (window as any).jupyterapp.commands.execute('mlhub:open-run', { run: id });
      }, runs[2].id);
      const runPage = page.locator('.jp-MLHubRun-content').filter({ hasText: 'deep' }).first();
      await expect(runPage.locator('table').first()).toBeVisible({ timeout: 30000 });
      await expectReadable(runPage, 'table td, table th, .jp-MLHub-status', `${theme} run page`);
      await page.screenshot({ path: shot(`themes-run-page-${theme}.png`) });

      // The Experiments sidebar's Projects view (projects and their latest runs) and the Train form.
      // (already the open tab: a click on its icon would close it)
      await page.sidebar.openTab('mlhub-experiments');
      const hub = page.locator('#mlhub-experiments');
      await hub.getByRole('tab', { name: 'Projects' }).click();
      await hub.getByRole('button', { name: 'Refresh' }).click();
      await expect(hub.locator(`.jp-MLHub-project[data-project="${project}"]`)).toBeVisible();
      await expectReadable(hub, '.jp-MLHub-status', `${theme} ML Hub sidebar badges`);
      await page.evaluate(async () => {
        await (window as any).jupyterapp.commands.execute('mlhub:train-model');
      });
      await expect(page.getByRole('form', { name: 'Train model' })).toBeVisible();
      await page.screenshot({ path: shot(`themes-train-form-${theme}.png`) });
    }
    await page.theme.setLightTheme();
  });
});
