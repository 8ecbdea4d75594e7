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
  /** The latest value as sent, non-finite strings included. */
  last: MetricValue = null;
  /** Points logged in all (not only those kept). */
  total = 0;

  get lastStep(): number {
    return this.xs.length ? this.xs[this.xs.length - 1] : -Infinity;
  }

  /** Replace the contents with a series fetched over REST. */
  reset(steps: number[], values: MetricValue[], total?: number): void {
    this.xs = steps.slice();
    this.ys = values.map(plotValue);
    this.last = values.length ? values[values.length - 1] : null;
    this.total = total ?? steps.length;
    this._thin();
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
      this.xs.push(points.steps[i]);
      this.ys.push(plotValue(points.values[i]));
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
