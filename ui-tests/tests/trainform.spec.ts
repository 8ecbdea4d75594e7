import { expect, test } from '@jupyterlab/galata';

import { defaultDataset, isHoldout, prefillFromVersion, trainBody } from '../../labextension/models/trainBody';
import { shot } from '../shots';
import { API, registerCsv, xsrfHeaders } from './helpers';

/**
 * 90 rows: two numeric columns, a colour (text, 3 values) and a free-text note (90 values).
 * The label is "hot" for red rows, else "big" or "small" by size, so the colour matters.
 */
function flowersCsv(rows = 90): string {
  const colours = ['red', 'green', 'blue'];
  const lines = ['size,weight,colour,note,label'];
  for (let i = 0; i < rows; i++) {
    const size = ((i * 7) % 30) / 3;
    const colour = colours[i % 3];
    const label = colour === 'red' ? 'hot' : size > 5 ? 'big' : 'small';
    lines.push(`${size.toFixed(2)},${((i * 13) % 17) / 2},${colour},note ${i},${label}`);
  }
  return lines.join('\n') + '\n';
}

test.describe('Train form options, full spec, train again, Try it', () => {
  test('encoding and features from the form, the whole spec, train again, Try it', async ({ page }) => {
    test.setTimeout(240000);
    const suffix = Date.now().toString(36);
    const dataset = `flowers_${suffix}`;
    const holdout = `flowers_${suffix}_holdout`;
    const name = `flowers_lr_${suffix}`;
    await registerCsv(page, `${dataset}.csv`, flowersCsv());
    // Registered last, so it is the most recent dataset: first in the list, yet not the default.
    await registerCsv(page, `${holdout}.csv`, flowersCsv(30));

    await page.evaluate(() => (window as any).jupyterapp.commands.execute('mlhub:train-model'));
    const form = page.getByRole('form', { name: 'Train model' });
    const datasetSelect = form.locator('select[aria-label="Dataset"]');
    await expect(datasetSelect.locator('option').first()).toHaveText(/holdout/);
    await expect(datasetSelect.locator(`option[value="${holdout}"]`)).toHaveText(`${holdout} (v1) – holdout`);
    await expect(datasetSelect).not.toHaveValue(holdout);
    await datasetSelect.selectOption(dataset);
    await form.locator('select[aria-label="Target column"]').selectOption('label');

    // Every column but the target is a feature to start with; the text ones are named.
    const features = form.getByRole('group', { name: 'Feature columns' });
    await expect(features.getByRole('checkbox')).toHaveCount(4);
    await expect(features.locator('legend')).toHaveText('Feature columns (4 of 4)');
    const warning = form.locator('.jp-mod-warn');
    await expect(warning).toContainText('Text column(s) colour, note need one-hot encoding');
    await form.locator('input[aria-label="Estimator"]').fill('sklearn.linear_model.LogisticRegression');
    await form.locator('textarea[aria-label="Params"]').fill('{"max_iter": 300}');
    await form.locator('input[aria-label="Model name"]').fill(name);

    // Without an encoding the server refuses, and its message names what the form offers.
    await form.getByRole('button', { name: 'Train', exact: true }).click();
    const refusal = form.locator('.jp-MLHubModels-submitError');
    await expect(refusal).toHaveText(
      "non-numeric feature column(s) ['colour', 'note'] need an encoding: set encode='onehot' or leave them out of features"
    );

    // Answer it in the form: leave the note out, one-hot encode the colour; split and seed.
    await features.locator('[data-feature="note"] input').uncheck();
    await expect(features.locator('legend')).toHaveText('Feature columns (3 of 4)');
    await expect(warning).toContainText('Text column(s) colour need');
    await form.locator('select[aria-label="Encoding"]').selectOption('onehot');
    await expect(warning).toHaveCount(0);
    await form.locator('input[aria-label="Validation split"]').fill('0.25');
    await form.locator('input[aria-label="Random seed"]').fill('3');
    await form.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(refusal).toHaveCount(0);

    const view = page.locator(`.jp-MLHubModels-view[data-model="${name}"]`);
    await expect(view.getByRole('heading', { name: /Version 1/ })).toBeVisible({ timeout: 120000 });
    const v1 = await (await page.request.get(`${API}/models/${name}/versions/1`)).json();
    expect(v1.spec).toMatchObject({
      estimator: 'sklearn.linear_model.LogisticRegression',
      params: { max_iter: 300 },
      encode: 'onehot',
      features: ['size', 'weight', 'colour'],
      test_size: 0.25,
      seed: 3
    });

    // The whole spec the version was trained with.
    const specList = view.locator('dl[aria-label="training spec"]');
    await expect(specList.locator('[data-spec="dataset"] dd')).toHaveText(`${dataset} v1`);
    await expect(specList.locator('[data-spec="target"] dd')).toHaveText('label');
    await expect(specList.locator('[data-spec="estimator"] dd')).toHaveText('sklearn.linear_model.LogisticRegression');
    await expect(specList.locator('[data-spec="params.max_iter"] dd')).toHaveText('300');
    await expect(specList.locator('[data-spec="encode"] dd')).toHaveText('one-hot');
    await expect(specList.locator('[data-spec="impute"] dd')).toHaveText('not filled');
    await expect(specList.locator('[data-spec="features"] dd')).toHaveText('size, weight, colour');
    await expect(specList.locator('[data-spec="test_size"] dd')).toHaveText('0.25 (25% held out)');
    await expect(specList.locator('[data-spec="seed"] dd')).toHaveText('3');
    await expect(specList.locator('[data-spec="task"] dd')).toHaveText('inferred (classification)');

    // Try it: numbers for the numeric features, a select of the colours seen in training.
    const tryIt = view.getByRole('form', { name: 'Try it' });
    await expect(tryIt.locator('input[aria-label="size"]')).toHaveAttribute('type', 'number');
    await expect(tryIt.locator('select[aria-label="colour"] option')).toHaveText(['blue', 'green', 'red']);
    // Missing values: the server's message, verbatim (the API's answer to the same row), and nothing stored.
    const refused = await page.request.post(`${API}/models/${name}/predictions`, {
      data: { version: 1, inputs: [{ size: null, weight: null, colour: 'blue' }], store: false },
      headers: await xsrfHeaders(page)
    });
    expect(refused.status()).toBe(400);
    const message: string = (await refused.json()).error.message;
    expect(message).toContain("feature 'size'");
    await tryIt.getByRole('button', { name: 'Predict with v1' }).click();
    // (The first prediction of a server process loads the model, which can take seconds here.)
    await expect(tryIt.getByRole('alert')).toHaveText(message, { timeout: 30000 });
    await tryIt.locator('input[aria-label="size"]').fill('8');
    await tryIt.locator('input[aria-label="weight"]').fill('2.5');
    await tryIt.locator('select[aria-label="colour"]').selectOption('red');
    await tryIt.getByRole('button', { name: 'Predict with v1' }).click();
    await expect(tryIt.getByRole('alert')).toHaveCount(0);
    const answer = tryIt.locator('[aria-label="prediction"]');
    await expect(answer).toContainText('stored as inference');
    const bars = answer.getByRole('list', { name: 'class probabilities' }).locator('li');
    await expect(bars).toHaveCount(3);
    const predicted = (await answer.locator('[data-prediction]').textContent())!;
    expect(['big', 'hot', 'small']).toContain(predicted);
    // The predicted class is the most probable one, first in the list; the bars sum to 1.
    await expect(bars.first()).toHaveAttribute('data-class', predicted);
    const probs = (await bars.locator('.jp-MLHubModels-barValue').allTextContents()).map(Number);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    const stored = await (await page.request.get(`${API}/models/${name}/versions/1/inferences`)).json();
    expect(stored.total).toBe(1);
    expect(stored.inferences[0].inputs).toEqual([{ size: 8, weight: 2.5, colour: 'red' }]);
    expect(stored.inferences[0].outputs[0].prediction).toBe(predicted);
    // The inferences list refreshes by itself to show it.
    const row = view.getByRole('table', { name: 'inference results' }).locator(`tr[data-inference-id="${stored.inferences[0].id}"]`);
    await expect(row).toContainText(`"prediction":"${predicted}"`);

    await page.setViewportSize({ width: 1280, height: 900 });
    await tryIt.evaluate(form => form.previousElementSibling!.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: shot('models-try-it.png') });

    // Train again: the form opens filled from v1's spec; submitting makes v2 with the same spec.
    await view.getByRole('button', { name: 'Train again with these settings' }).click();
    await expect(form).toBeVisible();
    await expect(datasetSelect).toHaveValue(dataset);
    await expect(form.locator('select[aria-label="Target column"]')).toHaveValue('label');
    await expect(form.locator('input[aria-label="Estimator"]')).toHaveValue('sklearn.linear_model.LogisticRegression');
    await expect(form.locator('textarea[aria-label="Params"]')).toHaveValue('{\n  "max_iter": 300\n}');
    await expect(form.locator('select[aria-label="Encoding"]')).toHaveValue('onehot');
    await expect(form.locator('input[aria-label="Validation split"]')).toHaveValue('0.25');
    await expect(form.locator('input[aria-label="Random seed"]')).toHaveValue('3');
    await expect(form.locator('input[aria-label="Model name"]')).toHaveValue(name);
    await expect(features.locator('[data-feature="note"] input')).not.toBeChecked();
    await expect(features.locator('[data-feature="colour"] input')).toBeChecked();
    await form.evaluate(el => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: shot('models-train-form.png') });
    await form.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(view.getByRole('heading', { name: /Version 2/ })).toBeVisible({ timeout: 120000 });
    const v2 = await (await page.request.get(`${API}/models/${name}/versions/2`)).json();
    expect(v2.spec).toEqual(v1.spec);
    expect(v2.metrics).toEqual(v1.metrics);
  });
});

test.describe('Train form helpers (no browser)', () => {
  const dataset = (name: string, tags: string[] = [], lineage: Record<string, unknown> = {}): any => ({
    name,
    tags,
    latest: { lineage }
  });

  test('holdouts by name, tag or lineage are never the default dataset', () => {
    expect(isHoldout(dataset('iris_holdout'))).toBe(true);
    expect(isHoldout(dataset('iris_holdout_2'))).toBe(true);
    expect(isHoldout(dataset('holdout-set'))).toBe(true);
    expect(isHoldout(dataset('iris', ['holdout']))).toBe(true);
    expect(isHoldout(dataset('iris_b', [], { role: 'holdout' }))).toBe(true);
    expect(isHoldout(dataset('iris'))).toBe(false);
    expect(isHoldout(dataset('holdouts_study'))).toBe(false);
    expect(defaultDataset([dataset('a_holdout'), dataset('b', ['holdout']), dataset('c'), dataset('d')])).toBe('c');
    expect(defaultDataset([dataset('a_holdout')])).toBe('');
  });

  test('the job body carries encoding, features, split, seed, task, steps', () => {
    expect(
      trainBody({
        dataset: 'd', version: 1, target: 'y', kind: 'sklearn', estimator: 'sklearn.pipeline.Pipeline',
        params: { model__C: 2 }, name: 'm', encode: 'onehot', features: ['a', 'b'], testSize: 0.3, seed: 4,
        task: 'classification', steps: [['model', 'sklearn.svm.SVC', {}]], imageColumn: 'ignored'
      })
    ).toEqual({
      dataset: 'd', version: 1, target: 'y', name: 'm', params: { model__C: 2 }, estimator: 'sklearn.pipeline.Pipeline',
      steps: [['model', 'sklearn.svm.SVC', {}]], encode: 'onehot', features: ['a', 'b'], test_size: 0.3, seed: 4,
      task: 'classification'
    });
    // Missing numbers filled: scikit-learn models only (the server refuses impute for torch kinds).
    expect(trainBody({ dataset: 'd', target: 'y', kind: 'sklearn', estimator: 'e', params: {}, name: 'm', impute: 'median' }).impute).toBe('median');
    expect(trainBody({ dataset: 'd', target: 'y', kind: 'torch_mlp', estimator: '', params: {}, name: 'm', impute: 'median' })).not.toHaveProperty('impute');
    // No encoding, all features, an inferred task: nothing sent for them.
    expect(
      trainBody({ dataset: 'd', target: 'y', kind: 'sklearn', estimator: 'e', params: {}, name: 'm', encode: '', features: null, task: '' })
    ).toEqual({ dataset: 'd', target: 'y', name: 'm', params: {}, estimator: 'e' });
  });

  test('train again: the form filled from a version, torch settings in the params', () => {
    const version = (spec: Record<string, unknown>): any => ({
      model: 'm', version: 3, dataset: { name: 'd', version: 2 }, target: 'y', spec
    });
    const mlp = prefillFromVersion(
      version({ kind: 'torch_mlp', params: { hidden_sizes: [8], dropout: 0 }, epochs: 7, batch_size: 16, lr: 0.01,
        optimizer: 'sgd', weight_decay: 0, seed: 5, test_size: 0.1, encode: 'onehot', features: ['a'], task: null })
    )!;
    expect(mlp).toMatchObject({
      dataset: 'd', version: 2, target: 'y', kind: 'torch_mlp', name: 'm', encode: 'onehot', features: ['a'],
      testSize: 0.1, seed: 5, task: '', stepsText: ''
    });
    expect(JSON.parse(mlp.paramsText)).toEqual({
      hidden_sizes: [8], dropout: 0, epochs: 7, batch_size: 16, lr: 0.01, optimizer: 'sgd', weight_decay: 0
    });
    // What the form sends back is the same spec.
    const body = trainBody({
      dataset: mlp.dataset, version: mlp.version, target: mlp.target, kind: mlp.kind, estimator: mlp.estimator,
      params: JSON.parse(mlp.paramsText), name: mlp.name, encode: mlp.encode, features: mlp.features,
      testSize: mlp.testSize, seed: mlp.seed
    });
    expect(body).toMatchObject({ kind: 'torch_mlp', epochs: 7, batch_size: 16, lr: 0.01, optimizer: 'sgd', seed: 5,
      test_size: 0.1, params: { hidden_sizes: [8], dropout: 0 } });
    const pipe = prefillFromVersion(version({ kind: 'sklearn', estimator: null, steps: [['s', 'sklearn.svm.SVC', {}]] }))!;
    expect(pipe.estimator).toBe('sklearn.pipeline.Pipeline');
    expect(prefillFromVersion(version({ kind: 'sklearn', estimator: 'e', impute: 'mean' }))!.impute).toBe('mean');
    expect(JSON.parse(pipe.stepsText)).toEqual([['s', 'sklearn.svm.SVC', {}]]);
    expect(prefillFromVersion(version({ kind: 'custom', estimator_pickle: 'AAAA' }))).toBeNull();
  });
});
