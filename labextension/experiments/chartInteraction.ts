/**
 * Pointer interaction for a faceted uPlot chart, where uPlot's own cursor (built for
 * one shared x array) does not apply: hovering reports the step under the pointer and
 * the runs whose values there are closest to it; dragging zooms the x range and a
 * double click goes back to the full range.
 */
import uPlot from 'uplot';

export interface IHoverLine {
  id: string;
  label: string;
  color: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number | null>;
}

export interface IHoverRow {
  id: string;
  label: string;
  color: string;
  step: number;
  value: number;
}

export interface IHover {
  /** Pointer position in CSS pixels relative to the chart's root element. */
  left: number;
  top: number;
  /** Show the box left of the pointer (it is in the right half). */
  flip: boolean;
  step: number;
  rows: IHoverRow[];
}

const HOVER_ROWS = 6;
const MIN_DRAG_PX = 5;

/** Index of the x closest to `x` in ascending `xs` (binary search). */
export function nearestIndex(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0) {
    return -1;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

/** The runs' values at the step nearest to `x`, closest to `y` first. */
export function hoverRows(lines: IHoverLine[], x: number, y: number): IHoverRow[] {
  const rows: IHoverRow[] = [];
  for (const line of lines) {
    const i = nearestIndex(line.xs, x);
    const value = i === -1 ? null : line.ys[i];
    // null (JSON gaps) or NaN (typed columns' gaps): nothing to show for this run.
    if (value !== null && value !== undefined && value === value) {
      rows.push({ id: line.id, label: line.label, color: line.color, step: line.xs[i], value });
    }
  }
  rows.sort((a, b) => Math.abs(a.value - y) - Math.abs(b.value - y));
  return rows.slice(0, HOVER_ROWS);
}

export interface IInteractionOptions {
  lines: () => IHoverLine[];
  onHover: (hover: IHover | null) => void;
  /** Called with true once the user zoomed in, false after a double click. */
  onZoom: (zoomed: boolean) => void;
  /** Redraw with the full data range. */
  resetZoom: () => void;
  /** The x range dragged (in x units), for views that share a zoom between charts. */
  onRange?: (min: number, max: number) => void;
}

/** Wire hover, drag-to-zoom and double-click reset to `u`; returns the cleanup. */
export function attachInteraction(u: uPlot, options: IInteractionOptions): () => void {
  const over = u.over;
  const band = document.createElement('div');
  band.className = 'jp-MLHubExp-zoomBand';
  band.style.display = 'none';
  over.appendChild(band);
  let dragFrom: number | null = null;

  const onMove = (event: MouseEvent) => {
    const left = event.offsetX;
    const top = event.offsetY;
    if (dragFrom !== null) {
      band.style.display = 'block';
      band.style.left = `${Math.min(dragFrom, left)}px`;
      band.style.width = `${Math.abs(left - dragFrom)}px`;
    }
    const x = u.posToVal(left, 'x');
    const rows = hoverRows(options.lines(), x, u.posToVal(top, 'y'));
    options.onHover(
      rows.length
        ? {
            left: over.offsetLeft + left,
            top: over.offsetTop + top,
            flip: left > over.clientWidth / 2,
            step: rows[0].step,
            rows
          }
        : null
    );
  };
  const onLeave = () => {
    options.onHover(null);
  };
  const onDown = (event: MouseEvent) => {
    dragFrom = event.offsetX;
  };
  const onUp = (event: MouseEvent) => {
    const from = dragFrom;
    dragFrom = null;
    band.style.display = 'none';
    if (from === null || Math.abs(event.offsetX - from) < MIN_DRAG_PX) {
      return;
    }
    const a = u.posToVal(Math.min(from, event.offsetX), 'x');
    const b = u.posToVal(Math.max(from, event.offsetX), 'x');
    u.setScale('x', { min: a, max: b });
    options.onZoom(true);
    options.onRange?.(a, b);
    // The tooltip and crosshair showed the point under the pointer before the zoom (uPlot
    // applies the new scale later): hidden until the pointer next moves.
    options.onHover(null);
  };
  const onDouble = () => {
    options.resetZoom();
    options.onZoom(false);
    options.onHover(null);
  };
  over.addEventListener('mousemove', onMove);
  over.addEventListener('mouseleave', onLeave);
  over.addEventListener('mousedown', onDown);
  over.addEventListener('mouseup', onUp);
  over.addEventListener('dblclick', onDouble);
  return () => {
    over.removeEventListener('mousemove', onMove);
    over.removeEventListener('mouseleave', onLeave);
    over.removeEventListener('mousedown', onDown);
    over.removeEventListener('mouseup', onUp);
    over.removeEventListener('dblclick', onDouble);
    band.remove();
  };
}
