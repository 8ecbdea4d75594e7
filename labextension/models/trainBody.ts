/**
 * Pure helpers of the Train form (no DOM, no HTTP): the params editor's JSON check,
 * the sweep space's check, and the `POST /jobs` body built from the form's fields.
 */
import { ITrainRequest } from './types';

/** ModelSpec fields the torch kinds take beside the network's params (sent top-level). */
export const TRAINING_FIELDS = ['epochs', 'batch_size', 'lr', 'optimizer', 'weight_decay', 'seed', 'test_size'];

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
  } else {
    body.kind = fields.kind;
  }
  return body;
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
