/**
 * Metric series held by the compare view: what the server sent (already downsampled
 * to the chart's width) plus points pushed by the stream, thinned again with the same
 * min/max rule when live appends make a series much longer than the chart can show.
 *
 * Columns are typed arrays (`Float64Array`), so that 800 series of 1,000 points are 5
 * flat buffers each rather than millions of boxed numbers: a value that is not finite
 * (NaN, ±Infinity as logged) is held as NaN and drawn as a gap.
 */
import { MetricValue } from '../tokens';
import { IPoints } from './types';

/** A value the chart can draw: non-finite values ("NaN", "Infinity") become gaps. */
export function plotValue(value: MetricValue): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** True where a column holds no drawable value (null, or NaN in a typed column). */
export function isGap(value: number | null | undefined): boolean {
  return value === null || value === undefined || value !== value;
}

/** The value as the legend shows it: a number, or "NaN" / "Infinity" / "-Infinity". */
export function metricValue(value: number): MetricValue {
  return Number.isFinite(value) ? value : String(value);
}

/** Typed columns of one series, as decoded from a `base64-le` answer or built here. */
export interface ISeriesColumns {
  steps: Float64Array;
  /** Values as sent: NaN and ±Infinity kept (gaps when drawn). */
  values: Float64Array;
  timestamps?: Float64Array | null;
  band?: { min: Float64Array; max: Float64Array } | null;
}

const EMPTY = new Float64Array(0);

/**
 * Min/max bands are drawn for at most this many lines of a panel: beyond, the faint bands
 * of every run overlap into one haze that says nothing and costs a fill per run (and the
 * compare view does not fetch them).
 */
export const BAND_MAX_LINES = 20;

/** `values` as a column of drawable numbers: finite values, NaN for every other. */
function drawable(values: ArrayLike<MetricValue>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
  }
  return out;
}

/** A copy of `column` with only the finite values (the rest NaN), in place when owned. */
function finiteOnly(column: Float64Array): Float64Array {
  for (let i = 0; i < column.length; i++) {
    if (!Number.isFinite(column[i])) {
      column[i] = NaN;
    }
  }
  return column;
}

function pick(column: Float64Array, keep: ArrayLike<number>): Float64Array {
  const out = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) {
    out[i] = column[keep[i]];
  }
  return out;
}

function concat(a: Float64Array, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  for (let i = 0; i < b.length; i++) {
    out[a.length + i] = b[i];
  }
  return out;
}

export class SeriesBuffer {
  /** @param cap - points the chart can show; the buffer is thinned past twice that */
  constructor(readonly cap: number) {}

  /** Steps (or the points' x on the server's axis), ascending. */
  xs: Float64Array = EMPTY;
  /** Drawable values: finite numbers, NaN for a gap. */
  ys: Float64Array = EMPTY;
  /** Wall time (epoch seconds) per point, where known (empty otherwise). */
  ts: Float64Array = EMPTY;
  /**
   * Per point the minimum and maximum of the bucket it stands for, when the server
   * downsampled (null otherwise): the faint band behind the line. NaN: a gap.
   */
  band: { lo: Float64Array; hi: Float64Array } | null = null;
  /** The latest value as sent, non-finite strings included. */
  last: MetricValue = null;
  /** Points logged in all (not only those kept). */
  total = 0;
  /** Bumped on every change: lets a chart redraw only the series that changed. */
  version = 0;

  get length(): number {
    return this.xs.length;
  }

  get lastStep(): number {
    return this.xs.length ? this.xs[this.xs.length - 1] : -Infinity;
  }

  /** True when no held value is drawable (all NaN or ±Infinity), or none is held. */
  get allGaps(): boolean {
    for (let i = 0; i < this.ys.length; i++) {
      if (this.ys[i] === this.ys[i]) {
        return false;
      }
    }
    return true;
  }

  /** Replace the contents with a series fetched over REST (JSON columns; copied). */
  reset(
    steps: ArrayLike<number>,
    values: ArrayLike<MetricValue>,
    total?: number,
    timestamps?: ArrayLike<number> | null,
    band?: { min: ArrayLike<MetricValue>; max: ArrayLike<MetricValue> } | null
  ): void {
    this.xs = Float64Array.from(steps);
    this.ys = drawable(values);
    this.ts =
      timestamps && timestamps.length === steps.length ? Float64Array.from(timestamps) : EMPTY;
    this.band =
      band && band.min.length === steps.length
        ? { lo: drawable(band.min), hi: drawable(band.max) }
        : null;
    this.last = values.length ? values[values.length - 1] : null;
    this.total = total ?? steps.length;
    this.version++;
    this._thin();
  }

  /**
   * Take typed columns as they are (no copy: the buffer owns them from now on), e.g.
   * decoded from a `base64-le` answer; non-finite values become gaps.
   */
  adopt(columns: ISeriesColumns, total?: number): void {
    const { steps, values } = columns;
    const n = steps.length;
    this.last = values.length ? metricValue(values[values.length - 1]) : null;
    this.xs = steps;
    this.ys = finiteOnly(values);
    this.ts = columns.timestamps && columns.timestamps.length === n ? columns.timestamps : EMPTY;
    const band = columns.band;
    this.band =
      band && band.min.length === n
        ? { lo: finiteOnly(band.min), hi: finiteOnly(band.max) }
        : null;
    this.total = total ?? n;
    this.version++;
    this._thin();
  }

  /**
   * Merge the points a live cursor query answered (those after {@link lastStep}) into
   * the held, downsampled series instead of fetching the whole history again; `total`
   * becomes the server's stored count when given. Returns how many points were added.
   */
  merge(points: IPoints, total?: number): number {
    const added = this.append(points, this.lastStep);
    if (total !== undefined && total !== this.total) {
      this.total = total;
      this.version++;
    }
    return added;
  }

  /**
   * Append pushed points; with `after`, only those past that step (points that the
   * REST fetch already returned are not drawn twice). Returns how many were added.
   */
  append(points: IPoints, after = -Infinity): number {
    const n = Math.min(points.steps.length, points.values.length);
    const xs: number[] = [];
    const ys: number[] = [];
    const ts: number[] = [];
    let last: MetricValue = this.last;
    for (let i = 0; i < n; i++) {
      if (points.steps[i] <= after) {
        continue;
      }
      const y = plotValue(points.values[i]);
      xs.push(points.steps[i]);
      ys.push(y === null ? NaN : y);
      if (points.timestamps) {
        ts.push(points.timestamps[i]);
      }
      last = points.values[i];
    }
    const added = xs.length;
    if (added === 0) {
      return 0;
    }
    // Wall times stay known only while every point has one.
    const timed = this.ts.length === this.xs.length && ts.length === added;
    this.ts = timed ? concat(this.ts, ts) : EMPTY;
    if (this.band) {
      this.band = { lo: concat(this.band.lo, ys), hi: concat(this.band.hi, ys) };
    }
    this.xs = concat(this.xs, xs);
    this.ys = concat(this.ys, ys);
    this.last = last;
    this.total += added;
    this.version++;
    if (this.xs.length > 2 * this.cap) {
      this._thin();
    }
    return added;
  }

  private _thin(): void {
    if (this.xs.length <= this.cap) {
      return;
    }
    const keep = minmaxIndices(this.ys, this.cap);
    this.xs = pick(this.xs, keep);
    this.ys = pick(this.ys, keep);
    if (this.ts.length) {
      this.ts = pick(this.ts, keep);
    }
    if (this.band) {
      const { lo, hi } = this.band;
      this.band = { lo: pick(lo, keep), hi: pick(hi, keep) };
    }
  }
}

/**
 * Indices of at most `maxPoints` points: the first, the last, and per equal bucket
 * between them the minimum and the maximum (a gap, null or NaN, counts as the
 * minimum, so it stays visible), in order. The same rule as the server's downsampler.
 */
export function minmaxIndices(
  values: ArrayLike<number | null>,
  maxPoints: number
): number[] {
  const n = values.length;
  if (n <= maxPoints) {
    return Array.from({ length: n }, (_, i) => i);
  }
  if (maxPoints < 4) {
    return [0, n - 1].slice(0, Math.max(0, maxPoints));
  }
  const buckets = Math.floor((maxPoints - 2) / 2);
  const inner = n - 2;
  const out: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    let lo = -1;
    let hi = -1;
    let loGap = false;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (isGap(v)) {
        if (lo === -1 || !loGap) {
          lo = i;
          loGap = true;
        }
        continue;
      }
      if (lo === -1 || (!loGap && (v as number) < (values[lo] as number))) {
        lo = i;
      }
      if (hi === -1 || (v as number) > (values[hi] as number)) {
        hi = i;
      }
    }
    if (lo !== -1 && hi !== -1 && hi < lo) {
      out.push(hi, lo);
    } else {
      if (lo !== -1) {
        out.push(lo);
      }
      if (hi !== -1 && hi !== lo) {
        out.push(hi);
      }
    }
    // A bucket holds at least one index, and buckets are in order: no duplicates.
  }
  out.push(n - 1);
  return out;
}
