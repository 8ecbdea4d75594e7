/**
 * Pure helpers of the Train form (no DOM, no HTTP): which columns need an encoding, which
 * datasets are holdouts, the params editor's JSON check, the sweep space's check, the
 * `POST /jobs` body built from the form's fields, and the form's fields read back from a
 * model version's spec ("train again").
 */
import { IColumn, IDataset } from '../datasets/types';
import { IModelVersion, ITrainRequest } from './types';

/** ModelSpec fields the torch kinds take beside the network's params (sent top-level). */
export const TRAINING_FIELDS = ['epochs', 'batch_size', 'lr', 'optimizer', 'weight_decay', 'seed', 'test_size'];
/** The torch training settings the params editor carries (seed and split have fields of their own). */
export const TORCH_SETTINGS = ['epochs', 'batch_size', 'lr', 'optimizer', 'weight_decay'];
/** The spec's defaults (`mlhub_ext.train.specs.ModelSpec`). */
export const DEFAULT_TEST_SIZE = 0.2;
export const DEFAULT_SEED = 0;

/** Arrow type prefixes the server counts as numeric (`services/job_inputs.py`); others need an encoding. */
const NUMERIC_TYPES = ['int', 'uint', 'float', 'double', 'bool', 'decimal', 'halffloat'];

export function isNumericColumn(column: IColumn): boolean {
  return NUMERIC_TYPES.some(t => column.type.startsWith(t));
}

/**
 * A dataset kept to evaluate on, not to train on: named with a `holdout` word (`iris_holdout`, `holdout-2024`),
 * tagged `holdout`, or recorded as one in its latest version's lineage
 * (`role`/`split`/`purpose` = `holdout`).
 */
export function isHoldout(dataset: IDataset): boolean {
  const lineage = dataset.latest?.lineage ?? {};
  return (
    /(^|[_\-.])holdout($|[_\-.])/i.test(dataset.name) ||
    dataset.tags.some(t => t.toLowerCase() === 'holdout') ||
    ['role', 'split', 'purpose'].some(k => String(lineage[k] ?? '').toLowerCase() === 'holdout')
  );
}

/** The dataset the form starts with: the first that is not a holdout ('' when all are). */
export function defaultDataset(datasets: IDataset[]): string {
  return datasets.find(d => !isHoldout(d))?.name ?? '';
}

/**
 * The dataset an "Evaluate on" form starts with: a holdout kept for the version's training
 * dataset (`iris_holdout` for `iris`: its name without the holdout word), else the
 * training dataset itself, else the first listed ('' when there is none).
 */
export function defaultEvaluationDataset(datasets: IDataset[], version: IModelVersion): string {
  const trained = version.dataset?.name ?? null;
  if (trained !== null) {
    const base = (name: string) =>
      name.replace(/(^|[_\-.])holdout($|[_\-.])/i, (_, a: string, b: string) => (a && b ? a : '')).toLowerCase();
    const holdout = datasets.find(d => isHoldout(d) && d.name !== trained && base(d.name) === trained.toLowerCase());
    if (holdout) {
      return holdout.name;
    }
    if (datasets.some(d => d.name === trained)) {
      return trained;
    }
  }
  return datasets[0]?.name ?? '';
}

/** Parse the params editor's text: an object, or the reason it is not one. */
export function parseParams(text: string): { params?: Record<string, unknown>; error?: string } {
  if (!text.trim()) {
    return { params: {} };
  }
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { error: 'Params must be a JSON object, e.g. {"n_estimators": 100}' };
    }
    return { params: value as Record<string, unknown> };
  } catch (e) {
    return { error: `Params are not valid JSON: ${(e as Error).message}` };
  }
}

export interface ITrainFields {
  dataset: string;
  version?: number;
  target: string;
  /** 'sklearn' or a built-in torch kind. */
  kind: string;
  estimator: string;
  params: Record<string, unknown>;
  name: string;
  /** 'onehot', or '' / undefined for none (numeric features only). */
  encode?: string;
  /** scikit-learn only: 'mean' | 'median' | 'most_frequent' fills missing numbers; '' / undefined: none. */
  impute?: string;
  /** The feature columns; null / undefined: every column but the target. */
  features?: string[] | null;
  /** The held-out fraction (`test_size`). */
  testSize?: number;
  seed?: number;
  /** 'classification', 'regression', or '' / undefined to infer it. */
  task?: string;
  /** Pipeline steps, for the estimator `sklearn.pipeline.Pipeline`. */
  steps?: unknown[] | null;
  /** torch_cnn on a table: the column holding the images ('' / undefined: found by itself). */
  imageColumn?: string;
}

/**
 * The job body: an sklearn estimator by path, or a torch kind whose training settings
 * (epochs, lr, ...) move from the params to the top level; a name derived when empty.
 */
export function trainBody(fields: ITrainFields): ITrainRequest {
  const params = { ...fields.params };
  const training: Record<string, unknown> = {};
  if (fields.kind !== 'sklearn') {
    for (const field of TRAINING_FIELDS.filter(f => f in params)) {
      training[field] = params[field];
      delete params[field];
    }
  }
  const short = fields.kind === 'sklearn' ? fields.estimator.trim().split('.').pop()?.toLowerCase() : fields.kind;
  const body: ITrainRequest = {
    dataset: fields.dataset,
    target: fields.target,
    name: fields.name.trim() || `${fields.dataset}_${short}`,
    params,
    ...training
  };
  if (fields.version !== undefined) {
    body.version = fields.version;
  }
  if (fields.kind === 'sklearn') {
    body.estimator = fields.estimator.trim();
    if (fields.steps) {
      body.steps = fields.steps;
    }
  } else {
    body.kind = fields.kind;
  }
  if (fields.encode) {
    body.encode = fields.encode;
  }
  if (fields.impute && fields.kind === 'sklearn') {
    body.impute = fields.impute;
  }
  if (fields.features) {
    body.features = fields.features;
  }
  if (fields.testSize !== undefined) {
    body.test_size = fields.testSize;
  }
  if (fields.seed !== undefined) {
    body.seed = fields.seed;
  }
  if (fields.task) {
    body.task = fields.task;
  }
  if (fields.imageColumn && fields.kind === 'torch_cnn') {
    body.image_column = fields.imageColumn;
  }
  return body;
}

/** Parse the pipeline steps editor: a non-empty list of `[name, dotted path, params]`. */
export function parseSteps(text: string): { steps?: unknown[]; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `The steps are not valid JSON: ${(e as Error).message}` };
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every(step => Array.isArray(step))) {
    return { error: 'The steps must be a JSON list of [name, dotted path, params], e.g. [["scale", "sklearn.preprocessing.StandardScaler", {}]]' };
  }
  return { steps: value };
}

/** Everything the Train form holds, as a version's spec fills it in. */
export interface ITrainPrefill {
  dataset: string;
  /** The dataset version trained on (undefined: latest). */
  version?: number;
  target: string;
  kind: string;
  estimator: string;
  paramsText: string;
  /** '' unless the estimator is a pipeline. */
  stepsText: string;
  name: string;
  encode: string;
  impute: string;
  features: string[] | null;
  testSize: number;
  seed: number;
  task: string;
  imageColumn: string;
}

/**
 * The Train form's fields from a version: its dataset version, target, model name and the
 * whole spec (torch settings go into the params editor, as the form sends them).
 * Null for a version the form cannot retrain (a custom estimator object, or no dataset).
 */
export function prefillFromVersion(v: IModelVersion): ITrainPrefill | null {
  const spec = v.spec ?? {};
  const kind = String(spec.kind ?? 'sklearn');
  if (kind === 'custom' || !v.dataset || !v.target) {
    return null;
  }
  const params: Record<string, unknown> = { ...((spec.params as Record<string, unknown> | undefined) ?? {}) };
  if (kind !== 'sklearn') {
    for (const field of TORCH_SETTINGS.filter(f => spec[f] !== undefined && spec[f] !== null)) {
      params[field] = spec[field];
    }
  }
  const steps = Array.isArray(spec.steps) && spec.steps.length > 0 ? spec.steps : null;
  const features = Array.isArray(spec.features) ? spec.features.map(String) : null;
  return {
    dataset: v.dataset.name,
    version: v.dataset.version,
    target: v.target,
    kind,
    estimator: typeof spec.estimator === 'string' ? spec.estimator : steps ? 'sklearn.pipeline.Pipeline' : '',
    paramsText: JSON.stringify(params, null, 2),
    stepsText: steps ? JSON.stringify(steps, null, 2) : '',
    name: v.model,
    encode: typeof spec.encode === 'string' ? spec.encode : '',
    impute: typeof spec.impute === 'string' ? spec.impute : '',
    features,
    testSize: typeof spec.test_size === 'number' ? spec.test_size : DEFAULT_TEST_SIZE,
    seed: typeof spec.seed === 'number' ? spec.seed : DEFAULT_SEED,
    task: typeof spec.task === 'string' ? spec.task : '',
    imageColumn: typeof spec.image_column === 'string' ? spec.image_column : ''
  };
}

/** What a sweep can rank trials by (`mlhub_ext.train.sweep.KNOWN_METRICS`). */
export const SWEEP_METRICS = [
  'f1_macro', 'accuracy', 'precision_macro', 'recall_macro', 'f1_weighted', 'precision_weighted',
  'recall_weighted', 'roc_auc', 'rmse', 'mae', 'r2', 'val_loss', 'loss'
];

/** Parse a sweep space: an object of non-empty lists, or the reason it is not one. */
export function parseSpace(text: string): { space?: Record<string, unknown[]>; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `The search space is not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    return { error: 'The search space must be a JSON object of value lists, e.g. {"max_depth": [4, 8, null]}' };
  }
  for (const [name, values] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(values) || values.length === 0) {
      return { error: `The values of "${name}" must be a non-empty list` };
    }
  }
  return { space: value as Record<string, unknown[]> };
}
