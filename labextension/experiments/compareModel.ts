/**
 * State of one compare view: the compared runs, and for every metric one series per
 * run, fetched in one batched `POST /metrics/query` downsampled to the chart's width and
 * then kept live by merging: pushed points from the stream, or (stream down) only the
 * points after each series' cursor (`after_step`), never whole histories again. A zoom
 * fetches the visible x range at screen resolution.
 * Changes are announced through `changed` at most {@link MAX_REDRAWS_PER_S} times a
 * second however fast points arrive.
 *
 * The runs come in one listing request (`GET /runs?ids=…`), not one GET per run; a zoom
 * or an x-axis change fetches only the series again (the runs did not change), and the
 * series come as `base64-le` columns decoded into typed arrays, with the min/max bands
 * only of the metrics whose panels draw them (at most {@link BAND_MAX_LINES} runs shown).
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { metricOrder } from '../components/format';
import { IRun, MetricValue } from '../tokens';
import { getRun, listRunsByIds, mapLimited, queryMetrics } from './api';
import { seriesColumns } from './columns';
import { withEdgeAnchors } from './edgeAnchors';
import { BAND_MAX_LINES, metricValue, SeriesBuffer } from './series';
import { RunStream } from './stream';
import {
  IPoints,
  IQueriedSeries,
  ISeriesQuery,
  ISeriesQueryResult,
  StreamMessage,
  StreamStatus,
  XAxis
} from './types';

export const MAX_REDRAWS_PER_S = 10;
const FETCH_CONCURRENCY = 6;
/** Without a live stream, running runs are refetched this often instead. */
const FALLBACK_POLL_MS = 5000;

export interface ICompareApi {
  getRun: (id: string) => Promise<IRun>;
  /**
   * The readable runs of `ids`, in that order, in as few requests as the server allows;
   * without it each run is fetched with {@link getRun} (a run page: one run, whose 404
   * must surface as an error).
   */
  getRuns?: (ids: readonly string[]) => Promise<IRun[]>;
  queryMetrics: (query: ISeriesQuery) => Promise<ISeriesQueryResult>;
}

/** The server takes at most this many runs per query. */
const QUERY_RUNS = 1000;
/** Every metric: a key holding `*` is a regex matched in full. */
const ALL_KEYS = ['.*'];

/** A metric name as a `keys` entry: escaped into a regex when it holds a regex character. */
function exactKey(key: string): string {
  return /[*+?[\](){}|^$\\]/.test(key) ? key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : key;
}

interface IPending {
  run: string;
  metrics: Record<string, IPoints>;
}

/** What a fetch brings: the runs and the series, or (a zoom, an axis) the series only. */
type FetchKind = 'all' | 'series';

/**
 * The legend's order: the runs shown first, then the hidden ones, each in the given order,
 * so that a legend cut to its first few lists shown runs before struck-through ones.
 */
export function legendOrder<T>(items: readonly T[], isHidden: (item: T) => boolean): T[] {
  return [...items.filter(i => !isHidden(i)), ...items.filter(isHidden)];
}

export class CompareModel {
  constructor(readonly runIds: string[], options: CompareModel.IOptions = {}) {
    this._api = options.api ?? { getRun, getRuns: listRunsByIds, queryMetrics };
    this._stream = options.stream ?? new RunStream();
    this._stream.message.connect(this._onMessage, this);
    this._stream.reconnected.connect(() => void this.catchUp(), this);
    this._stream.statusChanged.connect(() => this._schedule(), this);
    this._fallback = new Poll({
      auto: false,
      factory: () => this._refetchIfOffline(),
      frequency: { interval: options.fallbackInterval ?? FALLBACK_POLL_MS, backoff: true },
      name: 'mlhub-ext:compare-fallback',
      standby: 'when-hidden'
    });
  }

  /** The runs in the order they were chosen, as last sent by the server. */
  get runs(): IRun[] {
    return this._runs;
  }

  /** Ids asked for that the server did not list (deleted, or not readable by the user). */
  get missing(): string[] {
    return this._missing;
  }

  /** Metric keys that any of the runs logged: the user's sorted, then the `system/…` ones. */
  get keys(): string[] {
    return metricOrder(this._series.keys());
  }

  /** The series of `key` per run id (runs that never logged it are absent). */
  series(key: string): Map<string, SeriesBuffer> {
    return this._series.get(key) ?? new Map();
  }

  /** The x axis every panel uses. */
  get xAxis(): XAxis {
    return this._xAxis;
  }

  /** The zoomed x range shared by all panels (in the units of {@link xAxis}), or null. */
  get xRange(): [number, number] | null {
    return this._xRange;
  }

  /** Run id -> creation time (epoch seconds): the origin of the relative time axis. */
  get starts(): Readonly<Record<string, number>> {
    return this._starts;
  }

  /** Milliseconds the last zoom took from asking to the series being in place. */
  get zoomMs(): number | null {
    return this._zoomMs;
  }

  /** Show every panel along `axis` (fetches the series again: buckets differ per axis). */
  async setXAxis(axis: XAxis): Promise<void> {
    if (axis === this._xAxis) {
      return;
    }
    this._xAxis = axis;
    this._xRange = null;
    await this._fetch('series');
  }

  /**
   * Fetch the series again at `points` per series when that is much more than they were
   * fetched with (a panel grown wider): only the series, the runs stay.
   */
  async ensureResolution(points: number): Promise<void> {
    const wanted = Math.max(16, Math.round(points));
    if (this._zoomPoints !== null || wanted <= this._maxPoints * 1.5 || this._series.size === 0) {
      return;
    }
    this._maxPoints = wanted;
    await this._fetch('series');
  }

  /**
   * The runs the user hid (not drawn). Where that leaves a metric's panel few enough lines
   * to draw their bands, and its series were fetched without them, the series are
   * fetched again (with those bands).
   */
  async setHidden(hidden: ReadonlySet<string>): Promise<void> {
    this._hidden = new Set(hidden);
    const want = this._bandKeys();
    const lacking =
      want === true
        ? this._banded !== null
        : want !== false && want.some(key => this._banded !== null && !this._banded.has(key));
    if (lacking && this._series.size > 0) {
      await this._fetch('series');
    }
  }

  /**
   * Zoom every panel to `range` (null: the whole range), fetching that range at
   * `points` per series (a panel's width in pixels) so a zoom shows detail the
   * overview's downsampling left out.
   */
  async zoom(range: [number, number] | null, points?: number): Promise<void> {
    const started = performance.now();
    this._xRange = range;
    this._zoomPoints = range === null ? null : Math.max(16, Math.round(points ?? this._maxPoints));
    this._zoomStarted = started;
    // Only the series: the runs (params, status...) are the same whatever the x range.
    await this._fetch('series');
  }

  /** True while runs or series are being fetched (a zoom's re-fetch included). */
  get loading(): boolean {
    return this._current !== null;
  }

  get error(): string | null {
    return this._error;
  }

  get streamStatus(): StreamStatus {
    return this._stream.status;
  }

  /** How many times `changed` fired: lets views and tests see live updates. */
  get version(): number {
    return this._version;
  }

  /** The `max_points` the series are fetched with. */
  get maxPoints(): number {
    return this._maxPoints;
  }

  /** Milliseconds from `load()` to the series being in place (null before). */
  get loadMs(): number | null {
    return this._loadMs;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Fetch the runs and their series, each downsampled to `maxPoints` (the chart's
   * width in pixels), while subscribing to their pushed points. The fetch does not wait
   * for the subscription (at 200 runs its confirmation can take longer than the fetch):
   * once both are done, a point logged between the fetch's read and the subscription is
   * fetched by cursor (`after_step`), which only running runs can need.
   */
  async load(maxPoints: number): Promise<void> {
    this._maxPoints = Math.max(16, Math.round(maxPoints));
    const subscribed = this._stream.subscribe(this.runIds);
    await this.reload();
    await subscribed;
    if (!this._disposed && this._runs.some(run => run.status === 'running')) {
      await this.catchUp();
    }
    void this._fallback.start();
  }

  /** Fetch everything again (after a lost stream connection, or on demand). */
  reload(): Promise<void> {
    return this._fetch('all');
  }

  /**
   * Fetch `kind`, or, while a fetch is under way, once more after it (what is asked now,
   * a zoom or a reconnection, may postdate it; the asks made meanwhile share that one
   * fetch, which brings the runs if any of them wanted them).
   */
  private _fetch(kind: FetchKind): Promise<void> {
    if (this._current !== null) {
      if (kind === 'all') {
        this._queuedKind = 'all';
      }
      this._queued ??= this._current.then(() => {
        const next = this._queuedKind;
        this._queued = null;
        this._queuedKind = 'series';
        return this._disposed ? undefined : this._fetch(next);
      });
      return this._queued;
    }
    const current = this._runFetch(kind).finally(() => {
      if (this._current === current) {
        this._current = null;
      }
      // A fetch's answer is shown at once (a zoom waits on it), not at the live rate.
      this._emitNow();
    });
    this._current = current;
    return current;
  }

  private async _runFetch(kind: FetchKind): Promise<void> {
    const started = performance.now();
    this._pending = [];
    this._pendingRuns = [];
    this._schedule();
    try {
      // The runs (params, status...) in one listing and, in one batched query, every series.
      const band = this._bandKeys();
      const zoomRange = this._xRange;
      const axis = this._xAxis;
      const [runs, answer] = await Promise.all([
        kind === 'all' ? this._fetchRuns() : Promise.resolve(null),
        this._query({ band })
      ]);
      if (this._disposed) {
        return;
      }
      const cap = this._zoomPoints ?? this._maxPoints;
      const series = new Map<string, Map<string, SeriesBuffer>>();
      const adopt = (items: IQueriedSeries[]) => {
        for (const item of items) {
          const overview = zoomRange ? this._overview.get(item.key)?.get(item.run) : undefined;
          // Zoomed: the overview's nearest points outside the window as edge anchors.
          const columns = overview
            ? withEdgeAnchors(seriesColumns(item), overview, zoomRange!, axis, this._starts[item.run])
            : seriesColumns(item);
          const buffer = new SeriesBuffer(overview ? cap + 2 : cap);
          buffer.adopt(columns, item.total);
          this._bucket(series, item.key).set(item.run, buffer);
        }
      };
      adopt(answer);
      const banded = band === true ? null : new Set(band || []);
      if (banded !== null) {
        // Metrics first seen in this answer (not known when asking) that few enough shown
        // runs logged for their panels to draw bands: those series again, with them.
        const more = this._bandKeys(series);
        const lacking = (Array.isArray(more) ? more : []).filter(key => !banded.has(key));
        if (lacking.length > 0) {
          adopt(await this._query({ keys: lacking.map(exactKey), band: true }));
          if (this._disposed) {
            return;
          }
          lacking.forEach(key => banded.add(key));
        }
      }
      this._banded = banded;
      if (runs !== null) {
        this._setRuns(runs);
      }
      this._series = series;
      if (zoomRange === null) {
        // The un-zoomed series (kept current by live points): a zoom's edge anchors.
        this._overview = series;
      }
      this._error = null;
      // Points pushed while fetching: keep those past what the fetch returned.
      const pending = this._pending ?? [];
      this._pending = null;
      pending.forEach(p => this._apply(p.run, p.metrics, true));
      this._pendingRuns.splice(0).forEach(run => this._applyRun(run));
      if (kind === 'all') {
        this._loadMs = performance.now() - started;
      }
      if (this._zoomStarted !== null && this._zoomStarted <= started) {
        // The series of the latest zoom are in place (shown by the emit that follows).
        this._zoomMs = performance.now() - this._zoomStarted;
        this._zoomStarted = null;
      }
    } catch (error) {
      this._error = (error as Error).message ?? String(error);
      this._pending = null;
    }
  }

  /** The compared runs in one request where the API allows it, else one GET per run. */
  private _fetchRuns(): Promise<IRun[]> {
    const { getRuns } = this._api;
    return getRuns
      ? getRuns(this.runIds)
      : mapLimited(this.runIds, FETCH_CONCURRENCY, id => this._api.getRun(id));
  }

  private _setRuns(runs: IRun[]): void {
    this._runs = runs;
    const found = new Set(runs.map(run => run.id));
    this._missing = this.runIds.filter(id => !found.has(id));
    if (runs.length === 0 && this.runIds.length > 0) {
      throw new Error(
        `None of the ${this.runIds.length} runs could be read: deleted, or not shared with you.`
      );
    }
  }

  /**
   * Fetch only what each held series lacks (points after its cursor, `after_step`) and
   * merge it in: what a lost stream missed, or the fallback while it stays down.
   */
  async catchUp(): Promise<void> {
    if (this._current !== null || this._series.size === 0) {
      await this.reload();
      return;
    }
    const after: Record<string, Record<string, number>> = {};
    for (const [key, bucket] of this._series) {
      for (const [run, buffer] of bucket) {
        (after[run] ??= {})[key] = Number.isFinite(buffer.lastStep) ? buffer.lastStep : -1;
      }
    }
    try {
      const answer = await this._query({ after_step: after });
      if (this._disposed) {
        return;
      }
      const runs = await this._fetchRuns();
      for (const item of answer) {
        const bucket = this._bucket(this._series, item.key);
        let buffer = bucket.get(item.run);
        if (!buffer) {
          buffer = new SeriesBuffer(this._zoomPoints ?? this._maxPoints);
          bucket.set(item.run, buffer);
        }
        const columns = seriesColumns(item);
        buffer.merge(
          {
            steps: Array.from(columns.steps),
            values: Array.from(columns.values, metricValue),
            timestamps: columns.timestamps ? Array.from(columns.timestamps) : undefined
          },
          item.total
        );
      }
      runs.forEach(run => this._applyRun(run));
      this._error = null;
    } catch (error) {
      this._error = (error as Error).message ?? String(error);
    }
    this._schedule();
  }

  /** A run's new state as a write answered it (the stream may be down or slower). */
  applyRun(run: IRun): void {
    if (this._pending) {
      this._pendingRuns.push(run);
    } else {
      this._applyRun(run);
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._stream.dispose();
    this._fallback.dispose();
    Signal.clearData(this);
  }

  /** Keep active runs current over REST while the stream is down. */
  private async _refetchIfOffline(): Promise<void> {
    const active = this._runs.some(run => run.status === 'running');
    if (this._stream.status !== 'live' && active && this._current === null) {
      await this.catchUp();
    }
  }

  /**
   * The bands to ask for: all (true) while at most {@link BAND_MAX_LINES} runs are shown
   * (no panel then draws more lines), else those of the metrics `series` (default: the
   * held ones) holds for at most that many shown runs; false for none.
   */
  private _bandKeys(series = this._series): boolean | string[] {
    const shown = this.runIds.filter(id => !this._hidden.has(id)).length;
    if (shown <= BAND_MAX_LINES) {
      return true;
    }
    const keys: string[] = [];
    for (const [key, bucket] of series) {
      let lines = 0;
      bucket.forEach((_, run) => (lines += this._hidden.has(run) ? 0 : 1));
      if (lines <= BAND_MAX_LINES) {
        keys.push(key);
      }
    }
    return keys.length > 0 ? keys : false;
  }

  /** One `POST /metrics/query` per 1,000 runs at the view's axis, zoom and resolution. */
  private async _query(extra: Partial<ISeriesQuery>): Promise<IQueriedSeries[]> {
    const base: ISeriesQuery = {
      runs: [],
      keys: ALL_KEYS,
      max_points: this._zoomPoints ?? this._maxPoints,
      x: this._xAxis,
      // A step axis needs no wall times: the answer is a third smaller.
      timestamps: this._xAxis !== 'step',
      // Typed columns: no JSON number parsed per point.
      encoding: 'base64-le',
      ...extra
    };
    if (this._xRange) {
      base.min_x = this._xRange[0];
      base.max_x = this._xRange[1];
    }
    const chunks: string[][] = [];
    for (let i = 0; i < this.runIds.length; i += QUERY_RUNS) {
      chunks.push(this.runIds.slice(i, i + QUERY_RUNS));
    }
    const answers = await Promise.all(
      chunks.map(runs => this._api.queryMetrics({ ...base, runs }))
    );
    answers.forEach(a => Object.assign(this._starts, a.starts));
    return answers.flatMap(a => a.series);
  }

  private _onMessage(_: RunStream, message: StreamMessage): void {
    switch (message.type) {
      case 'metrics':
        if (!this.runIds.includes(message.run)) {
          return;
        }
        if (this._pending) {
          this._pending.push({ run: message.run, metrics: message.metrics });
        } else {
          this._apply(message.run, message.metrics, false);
        }
        this._schedule();
        return;
      case 'run': {
        if (this._pending) {
          // Mid-fetch: the fetched run may predate this change, so apply it after.
          this._pendingRuns.push(message.run);
          return;
        }
        this._applyRun(message.run);
        return;
      }
      case 'error':
        this._error = message.error.message;
        this._schedule();
        return;
      default:
        return;
    }
  }

  /** A run's new state (status, summary...); latest metrics merge with pushed ones. */
  private _applyRun(run: IRun): void {
    const i = this._runs.findIndex(r => r.id === run.id);
    // ISO 8601 UTC timestamps of one format order as strings: skip a stale message.
    if (i === -1 || run.updated_at < this._runs[i].updated_at) {
      return;
    }
    this._runs = this._runs.slice();
    this._runs[i] = {
      ...run,
      latest_metrics: { ...this._runs[i].latest_metrics, ...run.latest_metrics }
    };
    this._schedule();
  }

  private _apply(
    runId: string,
    metrics: Record<string, IPoints>,
    onlyNewer: boolean
  ): void {
    const latest: Record<string, MetricValue> = {};
    for (const [key, points] of Object.entries(metrics)) {
      const bucket = this._bucket(this._series, key);
      let buffer = bucket.get(runId);
      if (!buffer) {
        buffer = new SeriesBuffer(this._maxPoints);
        bucket.set(runId, buffer);
      }
      buffer.append(points, onlyNewer ? buffer.lastStep : -Infinity);
      latest[key] = buffer.last;
    }
    const i = this._runs.findIndex(r => r.id === runId);
    if (i !== -1) {
      this._runs = this._runs.slice();
      this._runs[i] = {
        ...this._runs[i],
        latest_metrics: { ...this._runs[i].latest_metrics, ...latest }
      };
    }
  }

  private _bucket(
    series: Map<string, Map<string, SeriesBuffer>>,
    key: string
  ): Map<string, SeriesBuffer> {
    let bucket = series.get(key);
    if (!bucket) {
      bucket = new Map();
      series.set(key, bucket);
    }
    return bucket;
  }

  /** Announce a change now, dropping a scheduled one (it would show the same state). */
  private _emitNow(): void {
    if (this._disposed) {
      return;
    }
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this._lastEmit = performance.now();
    this._version++;
    this._changed.emit();
  }

  /** Announce a change, at most MAX_REDRAWS_PER_S times a second. */
  private _schedule(): void {
    if (this._timer !== null || this._disposed) {
      return;
    }
    const gap = 1000 / MAX_REDRAWS_PER_S;
    const wait = Math.max(0, this._lastEmit + gap - performance.now());
    this._timer = setTimeout(() => {
      this._timer = null;
      this._lastEmit = performance.now();
      this._version++;
      this._changed.emit();
    }, wait);
  }

  private readonly _api: ICompareApi;
  private readonly _stream: RunStream;
  private readonly _fallback: Poll;
  private _runs: IRun[] = [];
  private _series = new Map<string, Map<string, SeriesBuffer>>();
  /** Metrics whose held series were fetched with their bands (null: all of them). */
  private _banded: Set<string> | null = null;
  private _hidden: ReadonlySet<string> = new Set();
  private _pending: IPending[] | null = null;
  private _pendingRuns: IRun[] = [];
  private _maxPoints = 1000;
  private _zoomPoints: number | null = null;
  private _xAxis: XAxis = 'step';
  private _xRange: [number, number] | null = null;
  private _overview = new Map<string, Map<string, SeriesBuffer>>();
  private _starts: Record<string, number> = {};
  private _zoomMs: number | null = null;
  private _zoomStarted: number | null = null;
  private _missing: string[] = [];
  private _current: Promise<void> | null = null;
  private _queued: Promise<void> | null = null;
  private _queuedKind: FetchKind = 'series';
  private _error: string | null = null;
  private _loadMs: number | null = null;
  private _version = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _lastEmit = -Infinity;
  private _disposed = false;
  private readonly _changed = new Signal<this, void>(this);
}

export namespace CompareModel {
  export interface IOptions {
    /** Replace the REST calls (tests). */
    api?: ICompareApi;
    /** Replace the stream (tests). */
    stream?: RunStream;
    /** How often active runs are refetched while the stream is down (ms). */
    fallbackInterval?: number;
  }
}
