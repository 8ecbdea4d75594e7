/**
 * The whole spec a version was trained with (dataset version, target, estimator or network,
 * every param, encoding, features, validation split, seed, and the torch training settings),
 * and "Train again with these settings", which opens the Train form filled from it.
 */
import React from 'react';

import { Breakable } from './Breakable';
import { ITrainPrefill, prefillFromVersion, TORCH_SETTINGS } from '../trainBody';
import { IModelVersion } from '../types';

const KIND_LABELS: Record<string, string> = {
  sklearn: 'scikit-learn estimator',
  torch_mlp: 'PyTorch MLP',
  torch_cnn: 'PyTorch CNN',
  custom: 'custom estimator object'
};
const SETTING_LABELS: Record<string, string> = {
  epochs: 'epochs',
  batch_size: 'batch size',
  lr: 'learning rate',
  optimizer: 'optimizer',
  weight_decay: 'weight decay'
};
/** Spec keys shown by their own rows (or never: the pickle's bytes). */
const SHOWN = new Set([
  'kind', 'estimator', 'steps', 'params', 'task', 'encode', 'impute', 'features', 'test_size', 'seed', 'image_column',
  'estimator_pickle', ...TORCH_SETTINGS
]);

function json(value: unknown): string {
  return value === undefined ? '–' : JSON.stringify(value);
}

/** `[key, label, value]` rows for every field of the version's spec. */
export function specRows(v: IModelVersion): Array<[string, string, string]> {
  const spec = v.spec ?? {};
  const kind = String(spec.kind ?? 'sklearn');
  const torch = kind === 'torch_mlp' || kind === 'torch_cnn';
  const rows: Array<[string, string, string]> = [
    ['dataset', 'dataset', v.dataset ? `${v.dataset.name} v${v.dataset.version}` : '–'],
    ['target', 'target', v.target ?? '–'],
    ['kind', 'model', KIND_LABELS[kind] ?? kind]
  ];
  if (spec.estimator) {
    rows.push(['estimator', 'estimator', String(spec.estimator)]);
  }
  if (Array.isArray(spec.steps) && spec.steps.length > 0) {
    spec.steps.forEach((step, i) => {
      const [name, path, params] = Array.isArray(step) ? step : [i, json(step), undefined];
      rows.push([`steps.${i}`, `step ${String(name)}`, `${String(path)} ${json(params ?? {})}`]);
    });
  }
  const params = (spec.params as Record<string, unknown> | undefined) ?? {};
  const names = Object.keys(params).sort();
  if (names.length === 0) {
    rows.push(['params', 'params', 'the defaults']);
  }
  for (const name of names) {
    rows.push([`params.${name}`, `param ${name}`, json(params[name])]);
  }
  rows.push(['task', 'task', spec.task ? String(spec.task) : `inferred (${v.task})`]);
  if (kind !== 'torch_cnn') {
    rows.push(['encode', 'encoding', spec.encode === 'onehot' ? 'one-hot' : 'none']);
    if (kind === 'sklearn' || spec.impute) {
      rows.push(['impute', 'missing numbers', spec.impute ? `filled with the ${String(spec.impute).replace('_', ' ')}` : 'not filled']);
    }
    const features = Array.isArray(spec.features) ? spec.features.map(String) : null;
    rows.push(['features', 'features', features ? features.join(', ') : 'all columns but the target']);
  }
  const testSize = typeof spec.test_size === 'number' ? spec.test_size : null;
  rows.push([
    'test_size',
    'validation split',
    testSize === null ? '–' : testSize === 0 ? '0 (evaluated on the training rows)' : `${testSize} (${Math.round(testSize * 100)}% held out)`
  ]);
  rows.push(['seed', 'random seed', json(spec.seed)]);
  if (torch) {
    for (const key of TORCH_SETTINGS) {
      rows.push([key, SETTING_LABELS[key], json(spec[key])]);
    }
  }
  if (spec.image_column) {
    rows.push(['image_column', 'image column', String(spec.image_column)]);
  }
  for (const key of Object.keys(spec).filter(k => !SHOWN.has(k)).sort()) {
    rows.push([key, key, json(spec[key])]);
  }
  return rows;
}

export interface ITrainingSpecProps {
  version: IModelVersion;
  /** Opens the Train form filled from `prefill`; absent where there is no form to open. */
  onTrainAgain?: (prefill: ITrainPrefill) => void;
}

export function TrainingSpec(props: ITrainingSpecProps): JSX.Element {
  const v = props.version;
  const prefill = prefillFromVersion(v);
  return (
    <div className="jp-MLHubModels-spec">
      <dl className="jp-MLHubModels-meta2" aria-label="training spec">
        {specRows(v).map(([key, label, value]) => (
          <div key={key} data-spec={key}>
            <dt>{label}</dt>
            <dd>
              <Breakable text={value} />
            </dd>
          </div>
        ))}
      </dl>
      {props.onTrainAgain && (
        <button
          className="jp-Button jp-mod-styled jp-MLHubModels-small"
          disabled={prefill === null}
          title={
            prefill === null
              ? 'A custom estimator object (or a version without its dataset) is trained again from a notebook'
              : `Open the Train form with v${v.version}'s dataset, target and spec`
          }
          onClick={() => prefill && props.onTrainAgain?.(prefill)}
        >
          Train again with these settings
        </button>
      )}
    </div>
  );
}
