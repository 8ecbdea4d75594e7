import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { shot } from '../shots';
import { api, API, registerCsv, xsrfHeaders } from './helpers';

interface IRun {
  id: string;
  name: string;
  status: string;
  tags: string[];
  status_reason?: string;
}

const CELL_SOURCE = [
  'import mlhub_ext as mh',
  '',
  'def train(lr: float) -> float:',
  '    """One epoch."""',
  '    return 0.5 * lr  # the loss',
  '',
  'run = mh.init("runpage", config={"lr": 0.01})'
].join('\n');

const PROVENANCE = {
  notebook: 'train.ipynb',
  cell_source: CELL_SOURCE,
  execution_count: 7,
  git: { commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', dirty: true },
  packages: { numpy: '2.1.0', 'scikit-learn': '1.5.2' },
  hostname: 'gpu-box',
  python: '3.11.7',
  pid: 4242,
  cwd: '/home/alice/work'
};

/** A finished run with params, tags, summary, two metrics, an artifact and provenance. */
async function loggedRun(page: Page, project: string, name: string): Promise<IRun> {
  const run: IRun = await api(page, 'POST', 'runs', {
    project,
    name,
    config: { lr: 0.01, layers: 3, optimizer: 'adam' },
    tags: ['baseline'],
    provenance: PROVENANCE
  });
  const steps = Array.from({ length: 200 }, (_, i) => i);
  await api(page, 'POST', `runs/${run.id}/metrics`, {
    metrics: {
      loss: { steps, values: steps.map(i => 1 / (1 + i)) },
      acc: { steps, values: steps.map(i => 0.5 + i / 500) }
    }
  });
  const response = await page.request.put(`${API}/runs/${run.id}/artifacts/model/weights.txt`, {
    data: Buffer.from('w = [1, 2, 3]\n'),
    headers: { ...(await xsrfHeaders(page)), 'Content-Type': 'application/octet-stream' }
  });
  expect(response.ok(), await response.text()).toBe(true);
  return api(page, 'PATCH', `runs/${run.id}`, {
    summary: { best_acc: 0.898 },
    notes: 'first try',
    status: 'finished'
  });
}

function runPage(page: Page, run: Pick<IRun, 'id'>): Locator {
  return page.locator(`.jp-MLHubRun[data-run-id="${run.id}"]`);
}

function section(view: Locator, title: string): Locator {
  return view.getByRole('region', { name: title, exact: true });
}

function fact(view: Locator, name: string): Locator {
  return view.locator(`[data-fact="${name}"] dd`);
}

async function openExperiments(page: Page, project: string): Promise<Locator> {
  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const panel = page.locator('#mlhub-experiments');
  await expect(panel).toBeVisible();
  const select = panel.getByLabel('Project', { exact: true });
  await expect(select.locator(`option[value="${project}"]`)).toHaveCount(1);
  await select.selectOption(project);
  return panel;
}

function tab(page: Page, label: string | RegExp): Locator {
  return page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: label });
}

test.describe('Run page', () => {
  test('shows every section of a run, edits its tags and deletes a run after confirmation', async ({
    page
  }) => {
    const project = `runpage-${Date.now().toString(36)}`;
    const run = await loggedRun(page, project, 'baseline');
    const scratch: IRun = await api(page, 'POST', 'runs', { project, name: 'scratch' });

    // Opened by a click on the run in the Experiments sidebar.
    const panel = await openExperiments(page, project);
    await panel.locator(`[data-run-id="${run.id}"] .jp-MLHubExp-runName`).click();
    const view = runPage(page, run);
    await expect(view).toBeVisible();
    // The click opened the page, it did not tick the run for comparison.
    await expect(panel.getByLabel('Select run baseline')).not.toBeChecked();
    await expect(view.getByRole('heading', { name: 'baseline', exact: true })).toBeVisible();
    await expect(tab(page, 'Run baseline')).toHaveCount(1);

    // Overview.
    const overview = section(view, 'Overview');
    await expect(fact(overview, 'status').locator('.jp-MLHub-status')).toHaveText('finished');
    await expect(fact(overview, 'owner')).not.toHaveText('');
    await expect(fact(overview, 'project')).toHaveText(project);
    await expect(fact(overview, 'duration')).toHaveText(/\d+ s$/);
    await expect(fact(overview, 'tags').locator('.jp-MLHubExp-tag')).toHaveText(['baseline']);
    await expect(fact(overview, 'notes')).toHaveText('first try');
    await expect(fact(overview, 'id')).toHaveText(run.id);
    // Only the owner/manager role offers Delete; this user owns the project.
    await expect(view).toHaveAttribute('data-role', 'owner');
    await expect(view.getByRole('button', { name: 'Delete' })).toBeVisible();
    // A finished run offers no Stop.
    await expect(view.getByRole('button', { name: 'Stop' })).toHaveCount(0);

    // Params and summary.
    const params = section(view, 'Params').getByRole('table', { name: 'params' });
    await expect(params.locator('tr[data-key="lr"] td')).toHaveText('0.01');
    await expect(params.locator('tr[data-key="optimizer"] td')).toHaveText('adam');
    await expect(params.locator('tr')).toHaveCount(3);
    const summary = section(view, 'Summary').getByRole('table', { name: 'summary' });
    await expect(summary.locator('tr[data-key="best_acc"] td')).toHaveText('0.898');

    // Every metric as a chart, every point of it.
    const metrics = section(view, 'Metrics');
    await expect(metrics.locator('.jp-MLHubExp-chart')).toHaveCount(2);
    for (const key of ['acc', 'loss']) {
      const canvas = metrics.locator(`.jp-MLHubExp-chart[data-metric="${key}"] .jp-MLHubExp-canvas`);
      await expect(canvas.locator('canvas').first()).toBeVisible();
      await expect(canvas).toHaveAttribute('data-total', '200');
    }
    // A drag-zoom fits y to the points in the window (acc 0.5 + step / 500); a
    // double-click brings the whole range back.
    const acc = metrics.locator('.jp-MLHubExp-chart[data-metric="acc"] .jp-MLHubExp-canvas');
    const yMin = async () => Number(await acc.getAttribute('data-y-min'));
    await expect.poll(yMin).toBeLessThan(0.55);
    const over = acc.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(yMin).toBeGreaterThan(0.65);
    await over.dblclick();
    await expect.poll(yMin).toBeLessThan(0.55);

    // Provenance, with the cell's source highlighted by the lab's own editor.
    const prov = section(view, 'Provenance');
    await expect(fact(prov, 'notebook')).toHaveText('train.ipynb');
    await expect(fact(prov, 'execution count')).toHaveText('7');
    await expect(fact(prov, 'git commit')).toHaveText(PROVENANCE.git.commit);
    await expect(fact(prov, 'git branch')).toHaveText('main');
    await expect(fact(prov, 'git dirty')).toHaveText('yes: uncommitted changes');
    await expect(fact(prov, 'packages')).toHaveText('numpy 2.1.0, scikit-learn 1.5.2');
    await expect(fact(prov, 'host')).toHaveText('gpu-box');
    await expect(fact(prov, 'python')).toHaveText('3.11.7');
    const code = prov.locator('.jp-MLHubRun-code .cm-editor');
    await expect(code).toBeVisible();
    await expect(code.locator('.cm-line')).toHaveCount(7);
    await expect(code.locator('.cm-content')).toHaveAttribute('aria-readonly', 'true');
    await expect(code.locator('.cm-line').nth(2)).toHaveText('def train(lr: float) -> float:');
    // Highlighted: the keyword, the string and the comment are tokens of their own.
    await expect(code.locator('.cm-line').nth(2).locator('span', { hasText: /^def$/ })).toHaveCount(1);
    await expect(code.locator('.cm-line').nth(4).locator('span', { hasText: '# the loss' })).toHaveCount(1);

    // Artifacts download with their content.
    const artifact = section(view, 'Artifacts').locator('tr[data-artifact="model/weights.txt"]');
    await expect(artifact.locator('td').nth(1)).toHaveText('14 B');
    const download = page.waitForEvent('download');
    await artifact.getByRole('link', { name: 'model/weights.txt' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('weights.txt');
    const chunks: Buffer[] = [];
    for await (const chunk of (await file.createReadStream())!) {
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).toString()).toBe('w = [1, 2, 3]\n');

    await expect(section(view, 'Models and datasets')).toContainText(
      'No model version was trained in this run'
    );

    // The docs' screenshots: the page from its top, with the sidebar folded away.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
    await expect(panel).toBeHidden();
    await view.evaluate(el => el.closest('.jp-MLHubRun-content')?.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('run-page.png') });
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme: 'JupyterLab Dark'
      })
    );
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
    await expect(metrics.locator('.jp-MLHubExp-chart[data-metric="acc"] canvas').first()).toBeVisible();
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('run-page-dark.png') });
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme: 'JupyterLab Light'
      })
    );
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'true');
    await page.setViewportSize({ width: 1024, height: 768 });

    // Edit the tags; the page and the server agree.
    await view.getByRole('button', { name: 'Edit' }).click();
    const form = view.getByRole('form', { name: 'Edit run' });
    await form.getByLabel('Tags (comma separated)').fill('baseline, best');
    await form.getByLabel('Notes').fill('first try\nkept as the reference');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form).toHaveCount(0);
    await expect(fact(overview, 'tags').locator('.jp-MLHubExp-tag')).toHaveText(['baseline', 'best']);
    await expect(fact(overview, 'notes')).toHaveText('first try\nkept as the reference');
    const saved: IRun = await api(page, 'GET', `runs/${run.id}`);
    expect(saved.tags).toEqual(['baseline', 'best']);

    // A bad edit shows the server's own message.
    await view.getByRole('button', { name: 'Edit' }).click();
    await form.getByLabel('Name').fill('x'.repeat(300));
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(view.locator('.jp-MLHub-error[data-kind="action"]')).toContainText(
      "field 'name': String should have at most 256 characters"
    );
    await form.getByRole('button', { name: 'Cancel' }).click();

    // Opened again by the command with an id: the same tab, not a second one.
    await page.evaluate(
      async id => {
        await (window as any).jupyterapp.commands.execute('mlhub:open-run', { run: id });
      },
      run.id
    );
    await expect(tab(page, 'Run baseline')).toHaveCount(1);

    // A failed run: the reason by its status, the SDK's traceback apart from the notes.
    const broken: IRun = await api(page, 'POST', 'runs', { project, name: 'broken' });
    await api(page, 'PATCH', `runs/${broken.id}`, {
      status: 'failed',
      status_reason: 'ValueError: bad input',
      notes:
        'tried lr=10\n\nTraceback (most recent call last):\n  File "train.py", line 3, in <module>\n' +
        '    raise ValueError("bad input")\nValueError: bad input\n'
    });
    await page.evaluate(async id => {
      await (window as any).jupyterapp.commands.execute('mlhub:open-run', { run: id });
    }, broken.id);
    const brokenView = runPage(page, broken);
    await expect(fact(brokenView, 'status')).toHaveText('failed ValueError: bad input');
    await expect(fact(brokenView, 'notes')).toHaveText('tried lr=10');
    await expect(fact(brokenView, 'traceback').locator('pre')).toContainText(
      'raise ValueError("bad input")'
    );
    await expect(fact(brokenView, 'traceback').locator('pre')).toContainText(
      'Traceback (most recent call last)'
    );
    await section(brokenView, 'Overview').screenshot({
      path: test.info().outputPath('failed-run-overview.png')
    });

    // From the run rows of the Experiments sidebar's Projects view.
    await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
    const hub = page.locator('#mlhub-experiments');
    await hub.getByRole('tab', { name: 'Projects' }).click();
    await hub.getByRole('button', { name: 'Refresh' }).click();
    await hub.locator(`.jp-MLHub-run[data-run-id="${scratch.id}"] .jp-MLHub-runLink`).click();
    const scratchView = runPage(page, scratch);
    await expect(scratchView).toBeVisible();

    // Delete asks first; Cancel keeps the run.
    await scratchView.getByRole('button', { name: 'Delete' }).click();
    let dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Delete run scratch');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(scratchView).toBeVisible();
    await scratchView.getByRole('button', { name: 'Delete' }).click();
    dialog = page.locator('.jp-Dialog');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(scratchView).toHaveCount(0);
    await expect(tab(page, 'Run scratch')).toHaveCount(0);
    const gone = await page.request.get(`${API}/runs/${scratch.id}`);
    expect(gone.status()).toBe(404);
    expect((await api(page, 'GET', `runs?project=${project}`)).total).toBe(2);
  });

  test('opens from the command palette and stops a run logged by a kernel', async ({ page }) => {
    const project = `stop-${Date.now().toString(36)}`;
    await page.notebook.createNew();
    await page.notebook.setCell(
      0,
      'code',
      [
        'import time, mlhub_ext as mh',
        `run = mh.init("${project}", name="looping", config={"sleep": 0.05})`,
        'for i in range(2400): run.log({"x": i * 0.5}, step=i); time.sleep(0.05)'
      ].join('\n')
    );
    await page.notebook.runCell(0, { wait: false });
    let run: IRun | undefined;
    await expect(async () => {
      const page_ = await api(page, 'GET', `runs?project=${project}`);
      run = page_.runs[0];
      expect(run?.status).toBe('running');
    }).toPass({ timeout: 60000 });

    // The palette's "Open Run…" asks for the id.
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#command-palette');
    await palette.locator('input').fill('Open Run');
    await palette.locator('.lm-CommandPalette-item', { hasText: 'Open Run…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input').fill(run!.id);
    await dialog.getByRole('button', { name: 'Ok' }).click();
    const view = runPage(page, run!);
    await expect(view).toBeVisible();
    await expect(fact(view, 'status').locator('.jp-MLHub-status')).toHaveText('running');
    await expect(fact(view, 'notebook')).toHaveText(/\.ipynb$/);
    await expect(view.locator('.jp-MLHubRun-code .cm-line').nth(2)).toContainText('run.log');

    // Live: the chart grows without a reload.
    const canvas = view.locator('.jp-MLHubExp-chart[data-metric="x"] .jp-MLHubExp-canvas');
    await expect(canvas).toHaveAttribute('data-total', /\d+/);
    const first = Number(await canvas.getAttribute('data-total'));
    await expect
      .poll(async () => Number(await canvas.getAttribute('data-total')), { timeout: 20000 })
      .toBeGreaterThan(first + 10);

    // Stop ends the kernel's loop at its next log call; the run ends killed, saying why.
    await view.getByRole('button', { name: 'Stop' }).click();
    await expect(view.locator('.jp-MLHub-error[data-kind="action"]')).toHaveCount(0);
    await expect(fact(view, 'status').locator('.jp-MLHub-status')).toHaveText('killed', {
      timeout: 30000
    });
    await expect(fact(view, 'status')).toContainText('stopped from the lab');
    await expect(view.getByRole('button', { name: 'Stop' })).toHaveCount(0);
    const stopped: IRun = await api(page, 'GET', `runs/${run!.id}`);
    expect(stopped.status).toBe('killed');
    const total = Number(await canvas.getAttribute('data-total'));
    expect(total).toBeLessThan(2400);
  });

  test('one Compare tab is reused, and run and compare tabs come back after a reload', async ({
    page
  }) => {
    const project = `restore-${Date.now().toString(36)}`;
    const alpha = await loggedRun(page, project, 'alpha');
    const beta = await loggedRun(page, project, 'beta');
    const gamma = await loggedRun(page, project, 'gamma');

    // The layout the lab saves to its workspace (what a reload restores).
    let saved = '';
    page.on('request', request => {
      if (request.method() === 'PUT' && request.url().includes('/api/workspaces')) {
        saved = request.postData() ?? '';
      }
    });

    const panel = await openExperiments(page, project);
    await panel.getByLabel('Select run alpha').check();
    await panel.getByLabel('Select run beta').check();
    await panel.getByRole('button', { name: 'Compare (2)' }).click();
    const compare = page.locator('.jp-MLHubExp-compare');
    await expect(compare.getByRole('heading', { name: 'Compare 2 runs' })).toBeVisible();
    await panel.getByLabel('Select run gamma').check();
    await panel.getByRole('button', { name: 'Compare (3)' }).click();
    await expect(compare.getByRole('heading', { name: 'Compare 3 runs' })).toBeVisible();
    await expect(page.locator('.jp-MLHubExp-compareWidget')).toHaveCount(1);
    await expect(tab(page, /^Compare /)).toHaveCount(1);
    await expect(
      compare.getByRole('table', { name: 'Run comparison' }).locator('thead th')
    ).toHaveText(['field', 'alpha', 'beta', 'gamma']);

    // A chart legend's run name and a column header open the run's page.
    await compare
      .locator(`.jp-MLHubExp-chart[data-metric="acc"] li[data-run-id="${alpha.id}"] .jp-MLHub-runLink`)
      .click();
    await expect(runPage(page, alpha)).toBeVisible();
    await tab(page, /^Compare /).click();
    await compare.locator(`th[data-run-id="${beta.id}"] .jp-MLHub-runLink`).click();
    await expect(runPage(page, beta)).toBeVisible();
    await page.evaluate(
      async id => {
        await (window as any).jupyterapp.commands.execute('mlhub:open-run', { run: id });
      },
      gamma.id
    );
    await expect(runPage(page, gamma)).toBeVisible();

    // Saved (debounced) before the reload: both run pages and the compare view's runs.
    await expect.poll(() => saved, { timeout: 15000 }).toContain(`mlhub-run:${gamma.id}`);
    expect(saved).toContain(`mlhub-run:${beta.id}`);
    expect(saved).toContain(`mlhub-compare:${[alpha, beta, gamma].map(r => r.id).join(',')}`);
    await page.reload({ waitForIsReady: false });
    await expect(tab(page, 'Run beta')).toHaveCount(1, { timeout: 30000 });
    await expect(tab(page, 'Run gamma')).toHaveCount(1);
    await expect(tab(page, /^Compare /)).toHaveCount(1);
    // The restored tabs work: the run page shows its run, the compare view its three runs.
    await expect(runPage(page, gamma).locator('[data-fact="status"] .jp-MLHub-status')).toHaveText(
      'finished'
    );
    await tab(page, /^Compare /).click();
    await expect(
      page.locator('.jp-MLHubExp-compare').getByRole('heading', { name: 'Compare 3 runs' })
    ).toBeVisible();
    await tab(page, 'Run beta').click();
    await expect(runPage(page, beta).getByRole('heading', { name: 'beta', exact: true })).toBeVisible();
  });

  test('a trained model version and its run link to each other; model and dataset tabs come back after a reload', async ({
    page
  }) => {
    test.setTimeout(180000);
    const suffix = Date.now().toString(36);
    const dataset = `points_${suffix}`;
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 11},${i % 2 ? 'odd' : 'even'}`);
    await registerCsv(page, `${dataset}.csv`, ['a,b,label', ...rows].join('\n') + '\n');
    const name = `points_rf_${suffix}`;
    const submitted = await page.request.post(`${API}/jobs`, {
      data: {
        dataset,
        target: 'label',
        estimator: 'sklearn.ensemble.RandomForestClassifier',
        params: { n_estimators: 3, max_depth: 2, random_state: 0 },
        name
      },
      headers: await xsrfHeaders(page)
    });
    expect(submitted.status(), await submitted.text()).toBe(202);
    const jobId = (await submitted.json()).id;
    await expect
      .poll(async () => (await api(page, 'GET', `jobs/${jobId}`)).state, { timeout: 120000 })
      .toBe('finished');
    const runId: string = (await api(page, 'GET', `jobs/${jobId}`)).run_id;

    // The model view's "run" opens the run that trained the version.
    await page.evaluate(async model => {
      await (window as any).jupyterapp.commands.execute('mlhub:open-model', { name: model });
    }, name);
    const modelView = page.locator(`.jp-MLHubModels-view[data-model="${name}"]`);
    await modelView.getByRole('button', { name: new RegExp(runId.slice(0, 8)) }).click();
    const view = runPage(page, { id: runId });
    await expect(view).toBeVisible();
    // The run page names what the run produced and used, and opens them.
    const links = section(view, 'Models and datasets');
    await expect(links.locator(`li[data-model="${name}"]`)).toContainText(`model ${name} v1`);
    await expect(links.locator(`li[data-dataset="${dataset}"]`)).toContainText(`dataset ${dataset} v1`);
    await expect(links.locator(`li[data-dataset="${dataset}"]`)).toContainText(`by model ${name} v1`);
    await links.getByRole('button', { name: `dataset ${dataset} v1` }).click();
    await expect(page.locator(`.jp-MLHub-datasetView[data-dataset="${dataset}"]`)).toBeVisible();
    await tab(page, `Run `).first().click();
    await links.getByRole('button', { name: `model ${name} v1` }).click();
    await expect(modelView).toBeVisible();

    let saved = '';
    page.on('request', request => {
      if (request.method() === 'PUT' && request.url().includes('/api/workspaces')) {
        saved = request.postData() ?? '';
      }
    });
    await tab(page, `Dataset: ${dataset}`).click();
    await expect.poll(() => saved, { timeout: 15000 }).toContain(`mlhub-dataset:${dataset}`);
    expect(saved).toContain(`mlhub-model:${name}`);
    expect(saved).toContain(`mlhub-run:${runId}`);
    await page.reload({ waitForIsReady: false });
    await expect(tab(page, `Dataset: ${dataset}`)).toHaveCount(1, { timeout: 30000 });
    await expect(page.locator(`.jp-MLHub-datasetView[data-dataset="${dataset}"]`)).toBeVisible();
    await expect(tab(page, /^Run /)).toHaveCount(1);
    await tab(page, `Model: ${name}`).click();
    await expect(modelView).toBeVisible();
  });
});
