import { expect, test } from '@jupyterlab/galata';

import { compareMetrics, differingSpec } from '../../labextension/models/compare';
import { parseParams, parseSpace, trainBody } from '../../labextension/models/trainBody';
import { shot } from '../shots';
import { API, registerCsv, xsrfHeaders } from './helpers';

/** Fisher's iris (150 rows, as scikit-learn ships it), rows separated by spaces. */
const IRIS_ROWS = [
  '5.1,3.5,1.4,0.2,setosa 4.9,3,1.4,0.2,setosa 4.7,3.2,1.3,0.2,setosa 4.6,3.1,1.5,0.2,setosa',
  '5,3.6,1.4,0.2,setosa 5.4,3.9,1.7,0.4,setosa 4.6,3.4,1.4,0.3,setosa 5,3.4,1.5,0.2,setosa',
  '4.4,2.9,1.4,0.2,setosa 4.9,3.1,1.5,0.1,setosa 5.4,3.7,1.5,0.2,setosa 4.8,3.4,1.6,0.2,setosa',
  '4.8,3,1.4,0.1,setosa 4.3,3,1.1,0.1,setosa 5.8,4,1.2,0.2,setosa 5.7,4.4,1.5,0.4,setosa',
  '5.4,3.9,1.3,0.4,setosa 5.1,3.5,1.4,0.3,setosa 5.7,3.8,1.7,0.3,setosa 5.1,3.8,1.5,0.3,setosa',
  '5.4,3.4,1.7,0.2,setosa 5.1,3.7,1.5,0.4,setosa 4.6,3.6,1,0.2,setosa 5.1,3.3,1.7,0.5,setosa',
  '4.8,3.4,1.9,0.2,setosa 5,3,1.6,0.2,setosa 5,3.4,1.6,0.4,setosa 5.2,3.5,1.5,0.2,setosa',
  '5.2,3.4,1.4,0.2,setosa 4.7,3.2,1.6,0.2,setosa 4.8,3.1,1.6,0.2,setosa 5.4,3.4,1.5,0.4,setosa',
  '5.2,4.1,1.5,0.1,setosa 5.5,4.2,1.4,0.2,setosa 4.9,3.1,1.5,0.2,setosa 5,3.2,1.2,0.2,setosa',
  '5.5,3.5,1.3,0.2,setosa 4.9,3.6,1.4,0.1,setosa 4.4,3,1.3,0.2,setosa 5.1,3.4,1.5,0.2,setosa',
  '5,3.5,1.3,0.3,setosa 4.5,2.3,1.3,0.3,setosa 4.4,3.2,1.3,0.2,setosa 5,3.5,1.6,0.6,setosa',
  '5.1,3.8,1.9,0.4,setosa 4.8,3,1.4,0.3,setosa 5.1,3.8,1.6,0.2,setosa 4.6,3.2,1.4,0.2,setosa',
  '5.3,3.7,1.5,0.2,setosa 5,3.3,1.4,0.2,setosa 7,3.2,4.7,1.4,versicolor 6.4,3.2,4.5,1.5,versicolor',
  '6.9,3.1,4.9,1.5,versicolor 5.5,2.3,4,1.3,versicolor 6.5,2.8,4.6,1.5,versicolor',
  '5.7,2.8,4.5,1.3,versicolor 6.3,3.3,4.7,1.6,versicolor 4.9,2.4,3.3,1,versicolor',
  '6.6,2.9,4.6,1.3,versicolor 5.2,2.7,3.9,1.4,versicolor 5,2,3.5,1,versicolor',
  '5.9,3,4.2,1.5,versicolor 6,2.2,4,1,versicolor 6.1,2.9,4.7,1.4,versicolor',
  '5.6,2.9,3.6,1.3,versicolor 6.7,3.1,4.4,1.4,versicolor 5.6,3,4.5,1.5,versicolor',
  '5.8,2.7,4.1,1,versicolor 6.2,2.2,4.5,1.5,versicolor 5.6,2.5,3.9,1.1,versicolor',
  '5.9,3.2,4.8,1.8,versicolor 6.1,2.8,4,1.3,versicolor 6.3,2.5,4.9,1.5,versicolor',
  '6.1,2.8,4.7,1.2,versicolor 6.4,2.9,4.3,1.3,versicolor 6.6,3,4.4,1.4,versicolor',
  '6.8,2.8,4.8,1.4,versicolor 6.7,3,5,1.7,versicolor 6,2.9,4.5,1.5,versicolor',
  '5.7,2.6,3.5,1,versicolor 5.5,2.4,3.8,1.1,versicolor 5.5,2.4,3.7,1,versicolor',
  '5.8,2.7,3.9,1.2,versicolor 6,2.7,5.1,1.6,versicolor 5.4,3,4.5,1.5,versicolor',
  '6,3.4,4.5,1.6,versicolor 6.7,3.1,4.7,1.5,versicolor 6.3,2.3,4.4,1.3,versicolor',
  '5.6,3,4.1,1.3,versicolor 5.5,2.5,4,1.3,versicolor 5.5,2.6,4.4,1.2,versicolor',
  '6.1,3,4.6,1.4,versicolor 5.8,2.6,4,1.2,versicolor 5,2.3,3.3,1,versicolor',
  '5.6,2.7,4.2,1.3,versicolor 5.7,3,4.2,1.2,versicolor 5.7,2.9,4.2,1.3,versicolor',
  '6.2,2.9,4.3,1.3,versicolor 5.1,2.5,3,1.1,versicolor 5.7,2.8,4.1,1.3,versicolor',
  '6.3,3.3,6,2.5,virginica 5.8,2.7,5.1,1.9,virginica 7.1,3,5.9,2.1,virginica',
  '6.3,2.9,5.6,1.8,virginica 6.5,3,5.8,2.2,virginica 7.6,3,6.6,2.1,virginica',
  '4.9,2.5,4.5,1.7,virginica 7.3,2.9,6.3,1.8,virginica 6.7,2.5,5.8,1.8,virginica',
  '7.2,3.6,6.1,2.5,virginica 6.5,3.2,5.1,2,virginica 6.4,2.7,5.3,1.9,virginica',
  '6.8,3,5.5,2.1,virginica 5.7,2.5,5,2,virginica 5.8,2.8,5.1,2.4,virginica',
  '6.4,3.2,5.3,2.3,virginica 6.5,3,5.5,1.8,virginica 7.7,3.8,6.7,2.2,virginica',
  '7.7,2.6,6.9,2.3,virginica 6,2.2,5,1.5,virginica 6.9,3.2,5.7,2.3,virginica',
  '5.6,2.8,4.9,2,virginica 7.7,2.8,6.7,2,virginica 6.3,2.7,4.9,1.8,virginica',
  '6.7,3.3,5.7,2.1,virginica 7.2,3.2,6,1.8,virginica 6.2,2.8,4.8,1.8,virginica',
  '6.1,3,4.9,1.8,virginica 6.4,2.8,5.6,2.1,virginica 7.2,3,5.8,1.6,virginica',
  '7.4,2.8,6.1,1.9,virginica 7.9,3.8,6.4,2,virginica 6.4,2.8,5.6,2.2,virginica',
  '6.3,2.8,5.1,1.5,virginica 6.1,2.6,5.6,1.4,virginica 7.7,3,6.1,2.3,virginica',
  '6.3,3.4,5.6,2.4,virginica 6.4,3.1,5.5,1.8,virginica 6,3,4.8,1.8,virginica',
  '6.9,3.1,5.4,2.1,virginica 6.7,3.1,5.6,2.4,virginica 6.9,3.1,5.1,2.3,virginica',
  '5.8,2.7,5.1,1.9,virginica 6.8,3.2,5.9,2.3,virginica 6.7,3.3,5.7,2.5,virginica',
  '6.7,3,5.2,2.3,virginica 6.3,2.5,5,1.9,virginica 6.5,3,5.2,2,virginica 6.2,3.4,5.4,2.3,virginica',
  '5.9,3,5.1,1.8,virginica',
].join(' ');

test.describe('Models', () => {
  test('train from the form, follow the job, promote, evaluation plots, inferences', async ({ page }) => {
    test.setTimeout(240000);
    const suffix = Date.now().toString(36);
    const dataset = `iris_${suffix}`;
    const name = `iris_rf_${suffix}`;
    const csv = `sepal_length,sepal_width,petal_length,petal_width,species\n${IRIS_ROWS.split(' ').join('\n')}\n`;
    const registered = await registerCsv(page, `${dataset}.csv`, csv);
    expect(registered.dataset.name).toBe(dataset);

    // The sidebar's "Train model" button opens the form.
    await page.click('.jp-SideBar [data-id="mlhub-models"]');
    const panel = page.locator('#mlhub-models');
    await expect(panel.getByRole('heading', { name: 'Models' })).toBeVisible();
    await panel.getByRole('button', { name: 'Train model' }).click();
    const form = page.getByRole('form', { name: 'Train model' });
    await expect(form).toBeVisible();

    await form.locator('select[aria-label="Dataset"]').selectOption(dataset);
    // The target column list comes from the dataset's schema.
    await expect(form.locator('select[aria-label="Target column"] option')).toHaveCount(5);
    await form.locator('select[aria-label="Target column"]').selectOption('species');
    await expect(form.locator('input[aria-label="Estimator"]')).toHaveValue('sklearn.ensemble.RandomForestClassifier');
    await form.locator('textarea[aria-label="Params"]').fill('{"n_estimators": 25, "random_state": 0}');
    await form.locator('input[aria-label="Model name"]').fill(name);
    await form.getByRole('button', { name: 'Train', exact: true }).click();

    // The job's progress, live, until it finishes on the LocalCluster.
    // (The first job of a server starts its LocalCluster, which takes a few seconds.)
    const job = form.locator('.jp-MLHubModels-job');
    await expect(job).toBeVisible({ timeout: 60000 });
    const jobId = await job.getAttribute('data-job-id');
    // The sidebar follows the same job; the form is hidden once the new version opens.
    const sidebarJob = panel.locator(`.jp-MLHubModels-job[data-job-id="${jobId}"]`);
    await expect(sidebarJob).toBeVisible();
    await expect(sidebarJob).toHaveAttribute('data-state', /queued|running|finished/);
    await expect(sidebarJob).toHaveAttribute('data-state', 'finished', { timeout: 120000 });
    await expect(sidebarJob.locator('progress')).toHaveAttribute('value', '100');

    // The version it produced opens in the model view.
    const view = page.locator(`.jp-MLHubModels-view[data-model="${name}"]`);
    await expect(view).toBeVisible({ timeout: 30000 });
    await expect(view.locator('tr[data-version="1"]')).toBeVisible();
    await expect(view.getByRole('heading', { name: /Version 1/ })).toBeVisible();

    // Evaluation: the confusion matrix canvas (3 classes: 9 cells) and the ROC / PR curves.
    const matrix = view.locator('canvas.jp-MLHubModels-confusion');
    await expect(matrix).toBeVisible();
    expect((await matrix.getAttribute('data-cells'))!.split(',')).toHaveLength(9);
    await expect(view.locator('[data-chart="ROC"] canvas').first()).toBeVisible();
    await expect(view.locator('[data-chart="Precision-recall"] canvas').first()).toBeVisible();
    await expect(view.locator('[data-metric="accuracy"] dd')).toHaveText(/^(0\.\d+|1)$/);

    // Promote to staging, then production.
    const stages = view.getByRole('region', { name: 'stages' });
    await view.getByRole('button', { name: 'Promote v1 to staging' }).click();
    await expect(stages.locator('li[data-stage="staging"] .jp-MLHubModels-aliasTarget')).toHaveText('v1');
    await view.getByRole('button', { name: 'Promote v1 to production' }).click();
    await expect(stages.locator('li[data-stage="production"] .jp-MLHubModels-aliasTarget')).toHaveText('v1');
    await expect(view.locator('tr[data-version="1"] [data-stage="production"]')).toBeVisible();
    const aliases = await (await page.request.get(`${API}/models/${name}/aliases`)).json();
    expect(aliases.aliases).toEqual({ staging: 1, production: 1 });

    // A prediction through the API is stored and shows in the inference table and report.
    const predicted = await page.request.post(`${API}/models/${name}/predictions`, {
      data: { stage: 'production', inputs: [[5.1, 3.5, 1.4, 0.2]] },
      headers: await xsrfHeaders(page)
    });
    expect(predicted.ok(), await predicted.text()).toBe(true);
    const answer = await predicted.json();
    await view.getByRole('button', { name: 'Refresh' }).click();
    const inferences = view.getByRole('table', { name: 'inference results' });
    await expect(inferences.locator(`tr[data-inference-id="${answer.inference_id}"]`)).toContainText(
      String(answer.outputs[0].prediction)
    );
    await expect(view.locator('[data-report="requests"] dd')).toHaveText('1');

    // A second version (trained through the API): compare, promote it, roll back.
    const second = await page.request.post(`${API}/jobs`, {
      data: {
        dataset,
        target: 'species',
        estimator: 'sklearn.ensemble.RandomForestClassifier',
        params: { n_estimators: 3, max_depth: 1, random_state: 0 },
        name
      },
      headers: await xsrfHeaders(page)
    });
    expect(second.status(), await second.text()).toBe(202);
    const secondId = (await second.json()).id;
    await expect
      .poll(async () => (await (await page.request.get(`${API}/jobs/${secondId}`)).json()).state, { timeout: 90000 })
      .toBe('finished');
    await view.getByRole('button', { name: 'Refresh' }).click();
    await view.locator('tr[data-version="2"]').click();
    await expect(view.getByRole('heading', { name: /Version 2/ })).toBeVisible();
    const comparison = view.getByRole('table', { name: 'version comparison' });
    await expect(comparison.locator('tr[data-metric="accuracy"]')).toBeVisible();
    await expect(comparison.locator('tr[data-param="params"] td').first()).toContainText('"n_estimators":25');
    await view.getByRole('button', { name: 'Promote v2 to production' }).click();
    await expect(stages.locator('li[data-stage="production"] .jp-MLHubModels-aliasTarget')).toHaveText('v2');
    await view.getByRole('button', { name: 'Roll back production to v1' }).click();
    await expect(stages.locator('li[data-stage="production"] .jp-MLHubModels-aliasTarget')).toHaveText('v1');
    const history = (await (await page.request.get(`${API}/models/${name}/aliases`)).json()).history;
    expect(history.slice(0, 2).map((h: any) => [h.stage, h.version, h.previous])).toEqual([
      ['production', 1, 2],
      ['production', 2, 1]
    ]);
    // Archive v2 (it holds no stage now): it can no longer be promoted. Publish v1.
    await view.getByRole('group', { name: 'version actions' }).getByRole('button', { name: 'Archive' }).click();
    await expect(view.locator('tr[data-version="2"]')).toContainText('archived');
    await expect(view.getByRole('button', { name: /^Promote v2/ })).toHaveCount(0);
    await view.locator('tr[data-version="1"]').click();
    await expect(view.getByRole('heading', { name: /Version 1/ })).toBeVisible();
    await view.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(view.getByRole('button', { name: 'Unpublish' })).toBeVisible();
    const v1 = await (await page.request.get(`${API}/models/${name}/versions/1`)).json();
    expect(v1.published).toBe(true);

    // The sidebar lists the model with its stages and counts it in production.
    await panel.getByRole('button', { name: 'Refresh' }).click();
    const item = panel.locator(`.jp-MLHubModels-item[data-model="${name}"]`);
    await expect(item).toContainText('production: v1');
    await expect(panel.locator('[data-count="in production"] .jp-MLHubModels-tileValue')).not.toHaveText('0');

    // Search and filters go to the server; the counts stay those of the whole catalogue.
    const search = panel.getByRole('searchbox', { name: 'Search models' });
    await search.fill(`no_such_model_${suffix}`);
    await expect(item).toHaveCount(0);
    await expect(panel).toContainText('No models match these filters');
    await search.fill(name);
    await expect(item).toBeVisible();
    await panel.locator('select[aria-label="stage"]').selectOption('production');
    await expect(item).toBeVisible();
    await panel.locator('select[aria-label="type"]').selectOption('torch');
    await expect(item).toHaveCount(0);
    await panel.locator('select[aria-label="type"]').selectOption('sklearn');
    await expect(item).toBeVisible();
    await panel.getByRole('searchbox', { name: 'Filter by developer' }).fill(`nobody_${suffix}`);
    await expect(item).toHaveCount(0);
    await panel.getByRole('searchbox', { name: 'Filter by developer' }).fill('');
    await expect(item).toBeVisible();

    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.screenshot({ path: shot('models.png') });
    const evaluation = view.locator('.jp-MLHubModels-evaluation');
    await evaluation.scrollIntoViewIfNeeded();
    await evaluation.screenshot({ path: shot('models-evaluation.png') });
    await page.theme.setDarkTheme();
    await expect(matrix).toBeVisible();
    await evaluation.screenshot({ path: shot('models-evaluation-dark.png') });
    await view.locator('tr[data-version="1"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('models-dark.png') });
    await page.theme.setLightTheme();
  });

  test('a running job shows progress in the sidebar and Abort stops it; a torch version shows its loss curves', async ({ page }) => {
    test.setTimeout(180000);
    const suffix = Date.now().toString(36);
    const dataset = `iris_abort_${suffix}`;
    const csv = `sepal_length,sepal_width,petal_length,petal_width,species\n${IRIS_ROWS.split(' ').join('\n')}\n`;
    await registerCsv(page, `${dataset}.csv`, csv);
    // A long torch loop: it stops between batches when aborted.
    const submitted = await page.request.post(`${API}/jobs`, {
      data: { dataset, target: 'species', kind: 'torch_mlp', epochs: 10000, batch_size: 8, name: `abort_${suffix}` },
      headers: await xsrfHeaders(page)
    });
    expect(submitted.status(), await submitted.text()).toBe(202);
    const job = await submitted.json();

    await page.click('.jp-SideBar [data-id="mlhub-models"]');
    const panel = page.locator('#mlhub-models');
    await panel.getByRole('button', { name: 'Refresh' }).click();
    const row = panel.locator(`.jp-MLHubModels-job[data-job-id="${job.id}"]`);
    await expect(row).toHaveAttribute('data-state', 'running', { timeout: 90000 });
    await expect(panel.locator('[data-count="running jobs"] .jp-MLHubModels-tileValue')).not.toHaveText('0');
    await row.getByRole('button', { name: 'Abort' }).click();
    await expect(row).toHaveAttribute('data-state', 'aborted', { timeout: 30000 });
    await expect(row.getByRole('button', { name: 'Abort' })).toHaveCount(0);
    const after = await (await page.request.get(`${API}/jobs/${job.id}`)).json();
    expect(after.state).toBe('aborted');

    // A short torch run finishes with a loss curve (train and validation) in its view.
    const mlp = `mlp_${suffix}`;
    const short = await page.request.post(`${API}/jobs`, {
      data: { dataset, target: 'species', kind: 'torch_mlp', epochs: 5, batch_size: 16, name: mlp },
      headers: await xsrfHeaders(page)
    });
    expect(short.status(), await short.text()).toBe(202);
    const shortId = (await short.json()).id;
    await expect
      .poll(async () => (await (await page.request.get(`${API}/jobs/${shortId}`)).json()).state, { timeout: 90000 })
      .toBe('finished');
    await page.evaluate(
      name => (window as any).jupyterapp.commands.execute('mlhub:open-model', { name, version: 1 }),
      mlp
    );
    const view = page.locator(`.jp-MLHubModels-view[data-model="${mlp}"]`);
    const loss = view.locator('[data-chart="Loss"] .jp-MLHubModels-canvas');
    await expect(loss.locator('canvas').first()).toBeVisible();
    await expect(loss).toHaveAttribute('data-lines', '2');
    await expect(view.locator('[data-chart="Loss"]')).toContainText('val_loss');
  });

  test('evaluate a version on another dataset from the model view, and switch between evaluations', async ({ page }) => {
    test.setTimeout(180000);
    const suffix = Date.now().toString(36);
    const header = 'sepal_length,sepal_width,petal_length,petal_width,species';
    const rows = IRIS_ROWS.split(' ');
    const dataset = `iris_ev_${suffix}`;
    const holdout = `iris_holdout_${suffix}`;
    const unlabelled = `iris_nolabel_${suffix}`;
    await registerCsv(page, `${dataset}.csv`, `${header}\n${rows.join('\n')}\n`);
    await registerCsv(page, `${holdout}.csv`, `${header}\n${rows.filter((_, i) => i % 3 === 0).join('\n')}\n`);
    await registerCsv(page, `${unlabelled}.csv`, `${header.replace('species', 'kind')}\n${rows.slice(0, 20).join('\n')}\n`);
    const name = `iris_ev_rf_${suffix}`;
    const trained = await page.request.post(`${API}/jobs`, {
      data: { dataset, target: 'species', estimator: 'sklearn.ensemble.RandomForestClassifier',
              params: { n_estimators: 10, random_state: 0 }, name },
      headers: await xsrfHeaders(page)
    });
    expect(trained.status(), await trained.text()).toBe(202);
    const trainedId = (await trained.json()).id;
    await expect
      .poll(async () => (await (await page.request.get(`${API}/jobs/${trainedId}`)).json()).state, { timeout: 90000 })
      .toBe('finished');

    await page.evaluate(
      model => (window as any).jupyterapp.commands.execute('mlhub:open-model', { name: model, version: 1 }),
      name
    );
    const view = page.locator(`.jp-MLHubModels-view[data-model="${name}"]`);
    await expect(view.getByRole('heading', { name: /Version 1/ })).toBeVisible();
    const rowsEvaluated = view.locator('[data-metric="n"] dd');
    await expect(rowsEvaluated).toHaveText('30');                         // the 20% training holdout
    const shown = view.locator('select[aria-label="evaluation shown"]');
    await expect(shown.locator('option')).toHaveCount(1);

    // A dataset without the target column: refused before anything is queued, message verbatim.
    const form = view.getByRole('form', { name: 'evaluate on a dataset' });
    await form.locator('select[aria-label="dataset to evaluate on"]').selectOption(unlabelled);
    await form.getByRole('button', { name: 'Evaluate' }).click();
    await expect(view.locator('.jp-MLHubModels-evaluations [role="alert"]')).toContainText('species');

    // The holdout dataset: a job on the cluster, then its evaluation is the one shown.
    await form.locator('select[aria-label="dataset to evaluate on"]').selectOption(holdout);
    await form.getByRole('button', { name: 'Evaluate' }).click();
    const job = view.locator('.jp-MLHubModels-evaluations .jp-MLHubModels-job');
    await expect(job).toHaveAttribute('data-state', 'finished', { timeout: 90000 });
    await expect(view.locator('.jp-MLHubModels-evaluations [role="alert"]')).toHaveCount(0);
    await expect(shown.locator('option')).toHaveCount(2);
    await expect(shown.locator('option:checked')).toContainText(`${holdout} v1`);
    await expect(rowsEvaluated).toHaveText('50');
    const stored = (await (await page.request.get(`${API}/models/${name}/versions/1/evaluation`)).json()).evaluations;
    expect(stored).toHaveLength(1);
    expect(stored[0].dataset.name).toBe(holdout);
    await expect(view.locator('[data-metric="accuracy"] dd')).toHaveText(
      String(Number(stored[0].evaluation.accuracy.toPrecision(4)))
    );
    await expect(view.locator('canvas.jp-MLHubModels-confusion')).toBeVisible();
    await page.setViewportSize({ width: 1440, height: 1000 });
    await view.locator('.jp-MLHubModels-evaluations').screenshot({ path: shot('models-evaluate-on.png') });

    // Back to the training holdout.
    await shown.selectOption({ label: 'the training holdout' });
    await expect(rowsEvaluated).toHaveText('30');
  });

  test('a sweep from the Train form runs every trial and opens the best as the new version', async ({ page }) => {
    test.setTimeout(180000);
    const suffix = Date.now().toString(36);
    const dataset = `iris_sw_${suffix}`;
    const name = `iris_sweep_${suffix}`;
    const csv = `sepal_length,sepal_width,petal_length,petal_width,species\n${IRIS_ROWS.split(' ').join('\n')}\n`;
    await registerCsv(page, `${dataset}.csv`, csv);

    await page.evaluate(() => (window as any).jupyterapp.commands.execute('mlhub:train-model'));
    const form = page.getByRole('form', { name: 'Train model' });
    await form.locator('select[aria-label="Dataset"]').selectOption(dataset);
    await form.locator('select[aria-label="Target column"]').selectOption('species');
    await form.locator('textarea[aria-label="Params"]').fill('{"random_state": 0}');
    await form.locator('input[aria-label="Model name"]').fill(name);
    await form.getByRole('checkbox', { name: 'Sweep over a grid' }).check();
    // A space that is not a grid is refused in the form, before anything is sent.
    await form.locator('textarea[aria-label="Search space"]').fill('{"max_depth": []}');
    await expect(form.locator('.jp-mod-error').first()).toContainText('"max_depth" must be a non-empty list');
    await form.locator('textarea[aria-label="Search space"]').fill('{"n_estimators": [3, 12], "max_depth": [1, null]}');
    await form.locator('select[aria-label="Sweep metric"]').selectOption('accuracy');
    await form.getByRole('button', { name: 'Start sweep' }).click();

    const job = form.locator('.jp-MLHubModels-job');
    await expect(job).toBeVisible({ timeout: 30000 });
    await expect(job.locator('.jp-MLHubModels-jobTitle')).toHaveText(`sweep ${name}`);
    const sweepId = await job.getAttribute('data-job-id');
    // Once finished, the version it registered opens (and the form's tab is hidden). A sweep
    // job has no run of its own, so the form learns its state from polling, which ticks at
    // once when a job becomes active (not after the idle 30 s).
    const view = page.locator(`.jp-MLHubModels-view[data-model="${name}"]`);
    await expect(view.getByRole('heading', { name: /Version 1/ })).toBeVisible({ timeout: 90000 });
    const sweep = await (await page.request.get(`${API}/jobs/${sweepId}`)).json();
    expect(sweep.state).toBe('finished');
    expect(sweep.kind).toBe('sweep');
    expect(sweep.result.metric).toBe('accuracy');
    expect(sweep.result.trials).toHaveLength(4);
    expect(sweep.result.trials.every((t: any) => t.state === 'finished')).toBe(true);
    const trials = (await (await page.request.get(`${API}/jobs?parent=${sweepId}`)).json()).jobs;
    expect(trials).toHaveLength(4);
    // The best trial (depth-1 stumps lose on iris) is registered as version 1, which opens.
    const best = sweep.result.trials[sweep.result.best];
    expect(best.params.max_depth).toBeNull();
    const v1 = await (await page.request.get(`${API}/models/${name}/versions/1`)).json();
    expect(v1.spec.params.n_estimators).toBe(best.params.n_estimators);
  });

  test('a bad params submission shows the server message verbatim', async ({ page }) => {
    const suffix = Date.now().toString(36);
    const dataset = `iris_bad_${suffix}`;
    const csv = `sepal_length,sepal_width,petal_length,petal_width,species\n${IRIS_ROWS.split(' ').filter((_, i) => i % 5 === 0).join('\n')}\n`;
    await registerCsv(page, `${dataset}.csv`, csv);
    const body = {
      dataset,
      version: 1,
      target: 'species',
      estimator: 'sklearn.ensemble.RandomForestClassifier',
      params: { n_estimatorz: 5 },
      name: `bad_${suffix}`
    };
    const refused = await page.request.post(`${API}/jobs`, { data: body, headers: await xsrfHeaders(page) });
    expect(refused.status()).toBe(422);
    const message: string = (await refused.json()).error.message;
    expect(message).toContain('n_estimatorz');

    // The palette command opens the same form.
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('mlhub:train-model'));
    const form = page.getByRole('form', { name: 'Train model' });
    await form.locator('select[aria-label="Dataset"]').selectOption(dataset);
    await form.locator('select[aria-label="Target column"]').selectOption('species');
    await form.locator('textarea[aria-label="Params"]').fill('{"n_estimatorz": 5}');
    await form.locator('input[aria-label="Model name"]').fill(body.name);
    await form.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(form.locator('.jp-MLHubModels-submitError')).toHaveText(message);
    await expect(form.locator('.jp-MLHubModels-job')).toHaveCount(0);

    // Not JSON at all: said before anything is sent.
    await form.locator('textarea[aria-label="Params"]').fill('{"n_estimators": }');
    await expect(form.locator('.jp-mod-error').first()).toContainText('not valid JSON');
  });
});

test.describe('Models form and comparison logic (no browser)', () => {
  test('params: a JSON object, or the reason it is not one', () => {
    expect(parseParams('{"n_estimators": 10}')).toEqual({ params: { n_estimators: 10 } });
    expect(parseParams('  ')).toEqual({ params: {} });
    expect(parseParams('[1, 2]').error).toContain('must be a JSON object');
    expect(parseParams('{"a": }').error).toContain('not valid JSON');
  });

  test('sweep space: an object of non-empty lists, or the reason it is not one', () => {
    expect(parseSpace('{"n_estimators": [10, 20], "max_depth": [null]}')).toEqual({
      space: { n_estimators: [10, 20], max_depth: [null] }
    });
    expect(parseSpace('{}').error).toContain('JSON object of value lists');
    expect(parseSpace('[1]').error).toContain('JSON object of value lists');
    expect(parseSpace('{"lr": 0.1}').error).toContain('"lr" must be a non-empty list');
    expect(parseSpace('{"lr": [').error).toContain('not valid JSON');
  });

  test('the job body: estimator path for sklearn, training settings top-level for torch', () => {
    const sk = trainBody({
      dataset: 'iris', version: 2, target: 'species', kind: 'sklearn',
      estimator: ' sklearn.ensemble.RandomForestClassifier ', params: { n_estimators: 5, epochs: 3 }, name: ''
    });
    expect(sk).toEqual({
      dataset: 'iris', version: 2, target: 'species', estimator: 'sklearn.ensemble.RandomForestClassifier',
      params: { n_estimators: 5, epochs: 3 }, name: 'iris_randomforestclassifier'
    });
    const torch = trainBody({
      dataset: 'iris', target: 'species', kind: 'torch_mlp', estimator: 'ignored',
      params: { hidden_sizes: [8], epochs: 3, lr: 0.01 }, name: ' mlp '
    });
    expect(torch).toEqual({
      dataset: 'iris', target: 'species', kind: 'torch_mlp', params: { hidden_sizes: [8] }, epochs: 3, lr: 0.01, name: 'mlp'
    });
  });

  test('comparison: differences and the better side follow each metric direction', () => {
    const version = (metrics: Record<string, number | null>, spec: Record<string, unknown>): any => ({ metrics, spec });
    const a = version({ accuracy: 0.9, rmse: 1.5, r2: null }, { params: { n_estimators: 10 }, epochs: 1 });
    const b = version({ accuracy: 0.95, rmse: 2.0, f1_macro: 0.9 }, { params: { n_estimators: 20 }, epochs: 1 });
    const rows = compareMetrics(a, b);
    expect(rows.map(r => r.metric)).toEqual(['accuracy', 'f1_macro', 'r2', 'rmse']);
    expect(rows[0].better).toBe('right');
    expect(rows[0].diff).toBeCloseTo(0.05);
    expect(rows[1]).toMatchObject({ left: undefined, right: 0.9, diff: null, better: null });
    expect(rows[3].better).toBe('left'); // a lower RMSE is better
    expect(differingSpec(a, b)).toEqual(['params']);
  });
});
