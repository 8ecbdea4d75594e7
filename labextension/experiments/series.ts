/**
 * Metric series held by the compare view: what the server sent (already downsampled
 * to the chart's width) plus points pushed by the stream, thinned again with the same
 * min/max rule when live appends make a series much longer than the chart can show.
 */
import { MetricValue } from '../tokens';
import { IPoints } from './types';

/** A value the chart can draw: non-finite values ("NaN", "Infinity") become gaps. */
export function plotValue(value: MetricValue): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export class SeriesBuffer {
  /** @param cap - points the chart can show; the buffer is thinned past twice that */
  constructor(readonly cap: number) {}

  xs: number[] = [];
  ys: (number | null)[] = [];
  /** Wall time (epoch seconds) per point, where known (empty otherwise). */
  ts: number[] = [];
  /**
   * Per point the minimum and maximum of the bucket it stands for, when the server
   * downsampled (null otherwise): the faint band behind the line.
   */
  band: { lo: (number | null)[]; hi: (number | null)[] } | null = null;
  /** The latest value as sent, non-finite strings included. */
  last: MetricValue = null;
  /** Points logged in all (not only those kept). */
  total = 0;

  get lastStep(): number {
    return this.xs.length ? this.xs[this.xs.length - 1] : -Infinity;
  }

  /** Replace the contents with a series fetched over REST. */
  reset(
    steps: number[],
    values: MetricValue[],
    total?: number,
    timestamps?: number[] | null,
    band?: { min: MetricValue[]; max: MetricValue[] } | null
  ): void {
    this.xs = steps.slice();
    this.ys = values.map(plotValue);
    this.ts = timestamps && timestamps.length === steps.length ? timestamps.slice() : [];
    this.band =
      band && band.min.length === steps.length
        ? { lo: band.min.map(plotValue), hi: band.max.map(plotValue) }
        : null;
    this.last = values.length ? values[values.length - 1] : null;
    this.total = total ?? steps.length;
    this._thin();
  }

  /**
   * Merge the points a live cursor query answered (those after {@link lastStep}) into
   * the held, downsampled series instead of fetching the whole history again; `total`
   * becomes the server's stored count when given. Returns how many points were added.
   */
  merge(points: IPoints, total?: number): number {
    const added = this.append(points, this.lastStep);
    if (total !== undefined) {
      this.total = total;
    }
    return added;
  }

  /**
   * Append pushed points; with `after`, only those past that step (points that the
   * REST fetch already returned are not drawn twice). Returns how many were added.
   */
  append(points: IPoints, after = -Infinity): number {
    let added = 0;
    const n = Math.min(points.steps.length, points.values.length);
    for (let i = 0; i < n; i++) {
      if (points.steps[i] <= after) {
        continue;
      }
      const y = plotValue(points.values[i]);
      this.xs.push(points.steps[i]);
      this.ys.push(y);
      if (this.ts.length === this.xs.length - 1 && points.timestamps) {
        this.ts.push(points.timestamps[i]);
      } else {
        this.ts = [];
      }
      if (this.band) {
        this.band.lo.push(y);
        this.band.hi.push(y);
      }
      this.last = points.values[i];
      added++;
    }
    this.total += added;
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
    this.xs = keep.map(i => this.xs[i]);
    this.ys = keep.map(i => this.ys[i]);
    if (this.ts.length) {
      this.ts = keep.map(i => this.ts[i]);
    }
    if (this.band) {
      const { lo, hi } = this.band;
      this.band = { lo: keep.map(i => lo[i]), hi: keep.map(i => hi[i]) };
    }
  }
}

/**
 * Indices of at most `maxPoints` points: the first, the last, and per equal bucket
 * between them the minimum and the maximum (a gap counts as the minimum, so it stays
 * visible), in order. The same rule as the server's downsampler.
 */
export function minmaxIndices(
  values: ReadonlyArray<number | null>,
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
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v === null) {
        if (lo === -1 || values[lo] !== null) {
          lo = i;
        }
        continue;
      }
      if (lo === -1 || (values[lo] !== null && v < (values[lo] as number))) {
        lo = i;
      }
      if (hi === -1 || v > (values[hi] as number)) {
        hi = i;
      }
    }
    const picks = [lo, hi].filter(i => i !== -1).sort((a, b) => a - b);
    for (const i of picks) {
      if (i !== out[out.length - 1]) {
        out.push(i);
      }
    }
  }
  out.push(n - 1);
  return out;
}
