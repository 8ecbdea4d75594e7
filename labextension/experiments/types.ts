/**
 * Shapes used by the Experiments sidebar and the compare view: run queries, metric
 * series as the REST API returns them, and the messages of the WebSocket stream.
 */
import { IRun, MetricValue } from '../tokens';

/** What the Experiments sidebar asks `GET /runs` for. */
export interface IRunsQuery {
  project: string;
  /** The server's filter language, e.g. `metrics.acc > 0.9 and tags = baseline`. */
  filter: string;
  /** created_at, updated_at, name, status, metrics.<key> or params.<key>. */
  orderBy: string;
  desc: boolean;
  limit: number;
  offset: number;
}

/** `GET /runs/{id}/metrics/{key}`. */
export interface ISeriesResponse {
  key: string;
  steps: number[];
  values: MetricValue[];
  timestamps: number[];
  downsampled: boolean;
  total?: number;
}

/** Points of one metric in a stream message or a batch. */
export interface IPoints {
  steps: number[];
  values: MetricValue[];
  timestamps?: number[];
}

/** Messages the server pushes on `/mlhub/api/v1/stream`. */
export type StreamMessage =
  | {
      type: 'metrics';
      run: string;
      project: string;
      metrics: Record<string, IPoints>;
    }
  | { type: 'run'; run: IRun }
  | { type: 'subscribed'; runs: string[]; projects: string[] }
  | { type: 'error'; error: { code: string; message: string } };

/** Where the stream connection stands, shown in the compare view's header. */
export type StreamStatus = 'connecting' | 'live' | 'closed';

/** `GET /runs/{id}/artifacts` items. */
export interface IArtifact {
  run_id: string;
  name: string;
  sha256: string;
  size: number;
  created_at: string | null;
}

/** A model version as `GET /runs/{id}/links` lists it (the fields the run page shows). */
export interface ILinkedVersion {
  model: string;
  version: number;
  created_at: string | null;
  created_by: string;
  estimator: string;
  task: string | null;
  stages: string[];
  dataset: { name: string; version: number | null } | null;
  metrics: Record<string, number | null>;
}

export interface ILinkedJob {
  id: string;
  kind: string;
  state: string;
  model: string | null;
  version: number | null;
  created_at: string | null;
}

/** `GET /runs/{id}/links`. */
export interface IRunLinks {
  model_versions: ILinkedVersion[];
  jobs: ILinkedJob[];
  datasets: Array<{ name: string; version: number | null; via: string }>;
}
