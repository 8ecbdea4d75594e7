/**
 * Edge anchors of a zoomed series: the overview's nearest points outside the zoom window,
 * so that a line crosses the whole window (see `withEdgeAnchors`).
 */
import { ISeriesColumns } from './series';
import { XAxis } from './types';

/** A series' x values along `axis` (null: a time axis and no wall times held). */
function axisValues(
  steps: Float64Array,
  ts: Float64Array | null | undefined,
  axis: XAxis,
  start: number | undefined
): Float64Array | null {
  if (axis === 'step') {
    return steps;
  }
  if (!ts || ts.length !== steps.length) {
    return null;
  }
  if (axis === 'wall') {
    return ts;
  }
  const origin = start ?? ts[0] ?? 0;
  return ts.map(t => t - origin);
}

/**
 * A zoom's answer with edge anchors: where it holds no point at the start (end) of
 * `range`, the overview's last drawable point before it (first after it) is put before
 * (after) its points, so that the line crosses the whole zoom window, leaving the plot at
 * its edges as the overview's line does, instead of stopping at the nearest point inside
 * (or not being drawn at all when a sparse series has no point in the window).
 */
export function withEdgeAnchors(
  answer: ISeriesColumns,
  overview: { xs: Float64Array; ys: Float64Array; ts: Float64Array },
  range: readonly [number, number],
  axis: XAxis,
  start: number | undefined
): ISeriesColumns {
  const wantTs = answer.timestamps !== null && answer.timestamps !== undefined;
  if (wantTs && overview.ts.length !== overview.xs.length) {
    return answer;
  }
  const ax = axisValues(answer.steps, answer.timestamps, axis, start);
  const ox = axisValues(overview.xs, overview.ts, axis, start);
  if (ax === null || ox === null) {
    return answer;
  }
  const n = ax.length;
  let before = -1;
  if (n === 0 || ax[0] > range[0]) {
    for (let i = 0; i < ox.length && ox[i] < range[0]; i++) {
      if (overview.ys[i] === overview.ys[i]) {
        before = i;
      }
    }
  }
  let after = -1;
  if (n === 0 || ax[n - 1] < range[1]) {
    for (let i = ox.length - 1; i >= 0 && ox[i] > range[1]; i--) {
      if (overview.ys[i] === overview.ys[i]) {
        after = i;
      }
    }
  }
  if (before < 0 && after < 0) {
    return answer;
  }
  const around = (column: Float64Array, head: number, tail: number): Float64Array => {
    const out = new Float64Array(column.length + (before >= 0 ? 1 : 0) + (after >= 0 ? 1 : 0));
    let k = 0;
    if (before >= 0) {
      out[k++] = head;
    }
    out.set(column, k);
    if (after >= 0) {
      out[k + column.length] = tail;
    }
    return out;
  };
  const y0 = before >= 0 ? overview.ys[before] : NaN;
  const y1 = after >= 0 ? overview.ys[after] : NaN;
  const band = answer.band;
  return {
    steps: around(answer.steps, overview.xs[before] ?? NaN, overview.xs[after] ?? NaN),
    values: around(answer.values, y0, y1),
    timestamps: wantTs
      ? around(answer.timestamps!, overview.ts[before] ?? NaN, overview.ts[after] ?? NaN)
      : answer.timestamps,
    band: band ? { min: around(band.min, y0, y1), max: around(band.max, y0, y1) } : band
  };
}
