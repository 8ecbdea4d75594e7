/** The REST shapes of `/models` and `/jobs` (docs/models-api.md) that the models views read. */
import type { Schemas } from '../api/types';

export type JobState = Schemas['Job']['state'];

export interface IColumnSpec {
  name: string;
  dtype: string;
  shape?: number[];
  /** A one-hot text feature's values seen in training (at most 50 are recorded). */
  categories?: string[];
  /** The model takes a missing value (null) for this feature. */
  nullable?: boolean;
}

export interface ICurve {
  label: unknown;
  fpr?: number[];
  tpr?: number[];
  auc?: number | null;
  recall?: number[];
  precision?: number[];
  average_precision?: number | null;
}

export interface ILossPoint {
  epoch: number;
  loss: number | null;
  val_loss?: number | null;
}

/** `mlhub_ext.train.evaluation`: classification or regression, with optional curves. */
export interface IEvaluation {
  task?: string;
  n?: number;
  confusion_matrix?: { labels: unknown[]; matrix: number[][] };
  roc?: ICurve[];
  pr?: ICurve[];
  loss_curve?: ILossPoint[];
  evaluated_on?: unknown;
  [metric: string]: unknown;
}

/** An evaluation of a version on another dataset (`POST .../evaluations` stores one). */
export interface IStoredEvaluation {
  id: number;
  dataset: { name: string; version: number | null };
  job_id: string | null;
  created_by: string;
  created_at: string | null;
  evaluation: IEvaluation;
}

/** `GET .../versions/{v}/evaluation`: the training holdout, then every later evaluation. */
export interface IEvaluations {
  evaluation: IEvaluation | null;
  evaluations: IStoredEvaluation[];
}

export type IModelVersion = Omit<Schemas['ModelVersion'], 'input_schema' | 'metrics' | 'evaluation' | 'dataset'> & {
  /** A trained version's dataset always names its version. */
  dataset: { name: string; version: number } | null;
  input_schema: IColumnSpec[];
  metrics: Record<string, number | null>;
  evaluation?: IEvaluation;
};

export type IModel = Omit<Schemas['Model'], 'latest'> & {
  latest: IModelVersion | null;
};

export interface ICounts {
  models: number;
  versions: number;
  by_stage: Record<string, number>;
  by_type: Record<string, number>;
  jobs: Record<string, number>;
}

export interface IModelsPage {
  models: IModel[];
  total: number;
  counts: ICounts;
}

/** A job as stored: its created_at and updated_at are always set. */
export type IJob = Omit<Schemas['Job'], 'created_at' | 'updated_at'> & {
  created_at: string;
  updated_at: string;
};

export interface IJobsPage {
  jobs: IJob[];
  total: number;
}

export type IAliasMove = Schemas['AliasMove'];

export type IAliases = Schemas['Aliases'];

export interface IInference {
  id: number;
  model: string;
  version: number;
  stage: string | null;
  inputs: unknown;
  outputs: unknown;
  latency_ms: number;
  user: string;
  created_at: string;
}

/** One row's answer: the prediction, and class probabilities where the model has them. */
export interface IPredictionOutput {
  prediction: unknown;
  probabilities?: Record<string, number>;
}

/** `POST /models/{name}/predictions`: the outputs and the stored inference's id. */
export interface IPrediction {
  model: string;
  version: number;
  stage: string | null;
  outputs: IPredictionOutput[];
  latency_ms: number;
  inference_id: number | null;
}

export interface IInferencesPage {
  inferences: IInference[];
  total: number;
}

export interface IReport {
  model: string;
  version: number;
  requests: number;
  users: number;
  latency_ms: { p50: number | null; p95: number | null; mean: number | null; max: number | null };
  first_at: string | null;
  last_at: string | null;
  per_day: Array<{ date: string; requests: number }>;
  metrics: Record<string, number | null>;
}

/** What the catalogue is filtered by (all optional, empty = no filter). */
export interface IModelsQuery {
  q: string;
  tag: string;
  stage: string;
  type: string;
  developer: string;
}

/** The body of `POST /jobs` the Train form sends. */
export interface ITrainRequest {
  dataset: string;
  version?: number;
  target: string;
  estimator?: string;
  kind?: string;
  params?: Record<string, unknown>;
  name: string;
  [field: string]: unknown;
}

/** `POST /sweeps`: a train body plus the grid and the metric that picks the best trial. */
export interface ISweep {
  space: Record<string, unknown[]>;
  metric: string;
}

/** The version fields `PATCH /models/{name}/versions/{v}` accepts. */
export type IVersionPatch = Schemas['ModelVersionPatch'];

export const ACTIVE_STATES: ReadonlyArray<string> = ['queued', 'running'];
export const DEFAULT_STAGES: ReadonlyArray<string> = ['dev', 'staging', 'production'];

/** What the model view asks `GET /models/{name}/versions` for: a page, filtered and ordered. */
export interface IVersionsPage {
  /** Text in tags, description, estimator, developer or status, or a version number. */
  q: string;
  /** By version number: newest first (`desc`) or oldest first. */
  order: 'desc' | 'asc';
  limit: number;
  offset: number;
}

/** A page of versions and how many match in all. */
export interface IVersionList {
  versions: IModelVersion[];
  total: number;
}
