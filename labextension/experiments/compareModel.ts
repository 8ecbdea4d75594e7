/**
 * State of one compare view: the compared runs, and for every metric one series per
 * run, fetched downsampled to the chart's width and then kept live from the stream.
 * Changes are announced through `changed` at most {@link MAX_REDRAWS_PER_S} times a
 * second however fast points arrive.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { metricOrder } from '../components/format';
import { IRun, MetricValue } from '../tokens';
import { getRun, getSeries, mapLimited } from './api';
import { SeriesBuffer } from './series';
import { RunStream } from './stream';
import { IPoints, ISeriesResponse, StreamMessage, StreamStatus } from './types';

export const MAX_REDRAWS_PER_S = 10;
const FETCH_CONCURRENCY = 6;
/** Without a live stream, running runs are refetched this often instead. */
const FALLBACK_POLL_MS = 5000;

export interface ICompareApi {
  getRun: (id: string) => Promise<IRun>;
  getSeries: (id: string, key: string, maxPoints: number) => Promise<ISeriesResponse>;
}

interface IPending {
  run: string;
  metrics: Record<string, IPoints>;
}

export class CompareModel {
  constructor(readonly runIds: string[], options: CompareModel.IOptions = {}) {
    this._api = options.api ?? { getRun, getSeries };
    this._stream = options.stream ?? new RunStream();
    this._stream.message.connect(this._onMessage, this);
    this._stream.reconnected.connect(() => void this.reload(), this);
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

  /** Metric keys that any of the runs logged: the user's sorted, then the `system/…` ones. */
  get keys(): string[] {
    return metricOrder(this._series.keys());
  }

  /** The series of `key` per run id (runs that never logged it are absent). */
  series(key: string): Map<string, SeriesBuffer> {
    return this._series.get(key) ?? new Map();
  }

  get loading(): boolean {
    return this._loading;
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
   * width in pixels), subscribing first so that no pushed point falls between.
   */
  async load(maxPoints: number): Promise<void> {
    this._maxPoints = Math.max(16, Math.round(maxPoints));
    await this._stream.subscribe(this.runIds);
    await this.reload();
    void this._fallback.start();
  }

  /** Fetch everything again (after a lost stream connection, or on demand). */
  async reload(): Promise<void> {
    if (this._loading) {
      // E.g. the stream reconnected mid-load: what it missed may postdate this fetch.
      this._reloadAgain = true;
      return;
    }
    const started = performance.now();
    this._loading = true;
    this._pending = [];
    this._pendingRuns = [];
    this._schedule();
    try {
      // Each run's series are fetched as soon as the run is known (its metric keys).
      const fetched = await mapLimited(this.runIds, FETCH_CONCURRENCY, async id => {
        const run = await this._api.getRun(id);
        const keys = Object.keys(run.latest_metrics ?? {});
        const data = await Promise.all(
          keys.map(key => this._api.getSeries(id, key, this._maxPoints))
        );
        return { run, keys, data };
      });
      if (this._disposed) {
        return;
      }
      const series = new Map<string, Map<string, SeriesBuffer>>();
      fetched.forEach(({ run, keys, data }) =>
        keys.forEach((key, i) => {
          const buffer = new SeriesBuffer(this._maxPoints);
          buffer.reset(data[i].steps, data[i].values, data[i].total);
          this._bucket(series, key).set(run.id, buffer);
        })
      );
      this._runs = fetched.map(f => f.run);
      this._series = series;
      this._error = null;
      // Points pushed while fetching: keep those past what the fetch returned.
      const pending = this._pending ?? [];
      this._pending = null;
      pending.forEach(p => this._apply(p.run, p.metrics, true));
      this._pendingRuns.splice(0).forEach(run => this._applyRun(run));
      this._loadMs = performance.now() - started;
    } catch (error) {
      this._error = (error as Error).message ?? String(error);
      this._pending = null;
    } finally {
      this._loading = false;
      this._schedule();
    }
    if (this._reloadAgain && !this._disposed) {
      this._reloadAgain = false;
      await this.reload();
    }
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
    if (this._stream.status !== 'live' && active && !this._loading) {
      await this.reload();
    }
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
  private _pending: IPending[] | null = null;
  private _pendingRuns: IRun[] = [];
  private _maxPoints = 1000;
  private _loading = false;
  private _reloadAgain = false;
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
