/**
 * Shapes used by the Experiments sidebar and the compare view: run queries, metric
 * series as the REST API returns them, and the messages of the WebSocket stream.
 */
import type { Schemas } from '../api/types';
import { IRun, MetricValue } from '../tokens';

/** What the Experiments sidebar asks `GET /runs` for. */
export interface IRunsQuery {
  project: string;
  /** The server's filter language, e.g. `metrics.acc > 0.9 and tags = baseline`. */
  filter: string;
  /** Plain text the server finds in run names and tags (`q`); see `splitSearch`. */
  q: string;
  /** created_at, updated_at, name, status, metrics.<key> or params.<key>. */
  orderBy: string;
  desc: boolean;
  limit: number;
  offset: number;
}

/** `GET /runs/{id}/metrics/{key}`. */
export type ISeriesResponse = Schemas['MetricSeries'];

/** `POST /metrics/query`: many runs' series at once. */
export type ISeriesQuery = Schemas['SeriesQuery'];

/** Its answer (JSON columns: the view never asks for `encoding`). */
export type ISeriesQueryResult = Schemas['SeriesQueryResult'];

/** One series of that answer. */
export type IQueriedSeries = Schemas['QueriedSeries'];

/** The x axis the panels share. */
export type XAxis = 'step' | 'wall' | 'relative';

/** Points of one metric in a stream message or a batch. */
export interface IPoints {
  steps: number[];
  values: MetricValue[];
  timestamps?: number[];
}

/** Messages the server pushes on `/mlhub/api/v1/stream` (points decoded: see `pointCodec.ts`). */
export type StreamMessage =
  | {
      type: 'metrics';
      run: string;
      project: string;
      metrics: Record<string, IPoints>;
    }
  | { type: 'run'; run: IRun }
  | { type: 'subscribed'; runs: string[]; projects: string[]; encoding?: string }
  | { type: 'error'; error: { code: string; message: string } };

/**
 * One series of a `metrics` message in the stream's compact form (`"encoding":
 * "delta-base64"`): steps as the first step then differences, values and wall times as
 * base64 of little-endian float64 arrays.
 */
export interface ICompactPoints {
  steps: number[];
  values: string;
  timestamps?: string;
}

/** A `metrics` message as the server sends it when the subscriber asked for the compact form. */
export interface ICompactMetricsMessage {
  type: 'metrics';
  run: string;
  project: string;
  encoding: 'delta-base64';
  metrics: Record<string, ICompactPoints>;
}

/** Where the stream connection stands, shown in the compare view's header. */
export type StreamStatus = 'connecting' | 'live' | 'closed';

/** `GET /runs/{id}/artifacts` items. */
export type IArtifact = Schemas['Artifact'];

/** A model version as `GET /runs/{id}/links` lists it. */
export type ILinkedVersion = Schemas['ModelVersion'];

export type ILinkedJob = Schemas['Job'];

/** `GET /runs/{id}/links`. */
export type IRunLinks = Schemas['RunLinks'];
