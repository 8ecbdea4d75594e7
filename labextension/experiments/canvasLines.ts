/**
 * Drawing many metric lines on a uPlot canvas quickly: one `Path2D` per run built in one
 * pass over its typed columns (no object per point), at most a few vertices per pixel
 * column, gaps (NaN or null) lifting the pen, and the faint min/max band of downsampled
 * series. uPlot keeps the axes, scales and pointer; these replace its per-series path
 * builder and auto-ranging (which assumes null gaps, where the columns hold NaN).
 */
import uPlot from 'uplot';

/** A column of y values: NaN or null is a gap. */
export type YColumn = ArrayLike<number | null>;

/** Maps a value to canvas pixels along one scale (null when the scale is not set). */
function projector(
  scale: uPlot.Scale,
  offset: number,
  extent: number,
  flip: boolean
): ((v: number) => number) | null {
  const { min, max } = scale;
  if (min === null || min === undefined || max === null || max === undefined) {
    return null;
  }
  const log = scale.distr === 3;
  const lo = log ? Math.log10(min) : min;
  const span = (log ? Math.log10(max) : max) - lo;
  const k = span === 0 ? 0 : extent / span;
  if (flip) {
    const base = offset + extent;
    return log ? v => base - (Math.log10(v) - lo) * k : v => base - (v - lo) * k;
  }
  return log ? v => offset + (Math.log10(v) - lo) * k : v => offset + (v - lo) * k;
}

/** First index whose x is >= `x` in ascending `xs` (xs.length when none). */
function lowerBound(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * The stroke of `xs`/`ys` in canvas pixels: points sharing a pixel column become one
 * vertical stroke (entry, min, max, exit), gaps start a new sub-path, and only the
 * points in the x range (and one either side) are visited.
 */
export function linePath(
  xs: ArrayLike<number>,
  ys: YColumn,
  px: (v: number) => number,
  py: (v: number) => number,
  xMin: number,
  xMax: number,
  logY = false
): Path2D {
  const path = new Path2D();
  const n = Math.min(xs.length, ys.length);
  // Ascending x (steps; times nearly always): start just left of the range.
  const start = Math.max(0, lowerBound(xs, xMin) - 1);
  let pen = false;
  let colX = 0;
  let minY = 0;
  let maxY = 0;
  let lastY = 0;
  const flush = () => {
    if (minY !== maxY) {
      path.lineTo(colX, minY);
      path.lineTo(colX, maxY);
      path.lineTo(colX, lastY);
    }
  };
  for (let i = start; i < n; i++) {
    const y = ys[i];
    if (y === null || y !== y || (logY && y <= 0)) {
      if (pen) {
        flush();
        pen = false;
      }
      continue;
    }
    const x = Math.round(px(xs[i]));
    const yy = Math.round(py(y));
    if (pen && x === colX) {
      if (yy < minY) {
        minY = yy;
      } else if (yy > maxY) {
        maxY = yy;
      }
      lastY = yy;
      continue;
    }
    if (pen) {
      flush();
      path.lineTo(x, yy);
    } else {
      path.moveTo(x, yy);
    }
    pen = true;
    colX = x;
    minY = maxY = lastY = yy;
    if (xs[i] > xMax) {
      break; // one point past the range, for the line to leave the plot
    }
  }
  if (pen) {
    flush();
  }
  return path;
}

/**
 * A uPlot path builder (faceted mode) for series whose data are typed columns: one
 * `Path2D` per series, built by {@link linePath}.
 */
export const typedLinePaths: uPlot.Series.PathBuilder = (u, seriesIdx) => {
  const facet = (u.data as unknown as Array<[ArrayLike<number>, YColumn] | null>)[seriesIdx];
  const x = u.scales.x;
  const y = u.scales.y;
  const { left, top, width, height } = u.bbox;
  const px = projector(x, left, width, false);
  const py = projector(y, top, height, true);
  if (!facet || px === null || py === null) {
    return null;
  }
  const stroke = linePath(facet[0], facet[1], px, py, x.min!, x.max!, y.distr === 3);
  return { stroke, fill: null, clip: null, band: null, flags: 0 };
};

/**
 * The x and y extents of columns (finite values; y > 0 only on a log axis). With
 * `xWindow` (a zoom), y comes only from what is drawn inside it: the points in the window
 * and, where a line crosses an edge, its value there (interpolated between the points
 * either side, in log space on a log axis), so that points outside the window (new ones
 * of a live run, say) do not stretch the y axis.
 */
export function extents(
  lines: Array<{ xs: ArrayLike<number>; ys: YColumn[] }>,
  logY: boolean,
  xWindow?: readonly [number, number] | null
): { x: [number, number] | null; y: [number, number] | null } {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  const ok = (v: number | null): v is number =>
    v !== null && v === v && v !== Infinity && v !== -Infinity && !(logY && v <= 0);
  const addY = (v: number) => {
    if (v < y0) {
      y0 = v;
    }
    if (v > y1) {
      y1 = v;
    }
  };
  // The line's value at `x` between points i - 1 and i (both finite), if it crosses x.
  const crossing = (xs: ArrayLike<number>, ys: YColumn, i: number, x: number) => {
    if (i <= 0 || i >= Math.min(xs.length, ys.length)) {
      return;
    }
    const a = ys[i - 1];
    const b = ys[i];
    const xa = xs[i - 1];
    const xb = xs[i];
    if (!ok(a) || !ok(b) || !(xa < x && x < xb)) {
      return;
    }
    const t = (x - xa) / (xb - xa);
    addY(
      logY ? 10 ** (Math.log10(a) + t * (Math.log10(b) - Math.log10(a))) : a + t * (b - a)
    );
  };
  for (const line of lines) {
    const { xs } = line;
    for (const ys of line.ys) {
      const n = Math.min(xs.length, ys.length);
      for (let i = 0; i < n; i++) {
        const v = ys[i];
        if (!ok(v)) {
          continue;
        }
        const xv = xs[i];
        if (!xWindow || (xv >= xWindow[0] && xv <= xWindow[1])) {
          addY(v);
        }
        if (xv < x0) {
          x0 = xv;
        }
        if (xv > x1) {
          x1 = xv;
        }
      }
      if (xWindow) {
        crossing(xs, ys, lowerBound(xs, xWindow[0]), xWindow[0]);
        crossing(xs, ys, lowerBound(xs, xWindow[1]), xWindow[1]);
      }
    }
  }
  return {
    x: x0 <= x1 ? [x0, x1] : null,
    y: y0 <= y1 ? [y0, y1] : null
  };
}

/** One run's band: per point the min and max of its bucket (NaN: none). */
export interface IBand {
  xs: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  fill: string;
}

/**
 * Fill each band (under the lines: call from uPlot's `drawAxes` hook), one path per run,
 * a polygon per stretch without gaps: the lows left to right, then the highs back.
 */
export function drawBands(u: uPlot, bands: IBand[]): void {
  const px = projector(u.scales.x, u.bbox.left, u.bbox.width, false);
  const py = projector(u.scales.y, u.bbox.top, u.bbox.height, true);
  if (px === null || py === null || bands.length === 0) {
    return;
  }
  const log = u.scales.y.distr === 3;
  const ok = (v: number) => v === v && (!log || v > 0);
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  for (const band of bands) {
    const { xs, lo, hi } = band;
    const n = Math.min(xs.length, lo.length, hi.length);
    const path = new Path2D();
    let i = 0;
    while (i < n) {
      while (i < n && !(ok(lo[i]) && ok(hi[i]))) {
        i++;
      }
      const from = i;
      while (i < n && ok(lo[i]) && ok(hi[i])) {
        i++;
      }
      if (i - from < 1) {
        continue;
      }
      path.moveTo(px(xs[from]), py(lo[from]));
      for (let k = from + 1; k < i; k++) {
        path.lineTo(px(xs[k]), py(lo[k]));
      }
      for (let k = i - 1; k >= from; k--) {
        path.lineTo(px(xs[k]), py(hi[k]));
      }
      path.closePath();
    }
    ctx.fillStyle = band.fill;
    ctx.fill(path);
  }
  ctx.restore();
}
