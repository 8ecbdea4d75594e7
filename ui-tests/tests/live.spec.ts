/**
 * `mh.live` in a notebook run the moment it opens: BokehJS is already on the page (the lab
 * loads it from the server as it starts, labextension/bokehLoader.ts), so the widget's
 * figure is drawn, never "Failed to create view for 'BokehView'".
 */
import { expect, test } from '@jupyterlab/galata';

test.describe('mh.live', () => {
  test('BokehJS is loaded as the lab starts; a live figure run at once draws every point', async ({ page, tmpPath }) => {
    test.setTimeout(180000);
    // Loaded by the lab, from this server, before any notebook asked for it.
    await expect.poll(() => page.evaluate(() => String((window as any).Bokeh?.version ?? '')), { timeout: 30000 }).toMatch(/^3\./);
    expect(await page.locator('script[src*="/mlhub/bokeh/static/js/bokeh.min.js"]').count()).toBe(1);

    const project = `live-${Date.now().toString(36)}`;
    const cell = (source: string): any => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
    const notebook = {
      cells: [
        cell(`import mlhub_ext as mh\nrun = mh.init(${JSON.stringify(project)}, name="at-once")\nlive = mh.live(run, metrics=["loss"])\nlive`),
        cell('for i in range(25): run.log({"loss": 1 / (i + 1)}, step=i)\nrun.finish()\nlive.refresh()')
      ],
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
      nbformat: 4,
      nbformat_minor: 5
    };
    const path = `${tmpPath}/live-at-once.ipynb`;
    await page.contents.uploadContent(JSON.stringify(notebook), 'text', path);
    await page.filebrowser.open(path);
    await page.notebook.run();

    const nb = page.locator('.jp-NotebookPanel').first();
    await expect(nb.locator('.jp-OutputArea-output', { hasText: 'points' }).first()).toContainText('finished · 1 metric · 25 points', {
      timeout: 60000
    });
    // The figure in the browser holds the 25 points of the run's curve.
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const lengths: number[] = [];
            for (const doc of (window as any).Bokeh?.documents ?? []) {
              for (const model of doc.all_models) {
                if (model.type === 'ColumnDataSource' || model.constructor?.__name__ === 'ColumnDataSource') {
                  lengths.push(model.get_length?.() ?? 0);
                }
              }
            }
            return Math.max(0, ...lengths);
          }),
        { timeout: 30000 }
      )
      .toBe(25);
    await expect(nb.locator('.jp-OutputArea-output', { hasText: /Failed to create view|javascript error/ })).toHaveCount(0);
    await expect(nb.locator('canvas').first()).toBeVisible();
  });
});
