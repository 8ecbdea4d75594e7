/**
 * One panel of the compare view's grid: a metric's curves, one line per shown run, on
 * the x axis all panels share (step, wall time or time since the run's start), smoothed
 * by a time-weighted EMA with the raw line faint behind, a faint min/max band where the
 * server downsampled, log or linear y with optional bounds, and the zoom and crosshair
 * of the whole grid. Drawn by uPlot (faceted mode: every run has its own x array) with
 * the lines built by canvasLines.ts: one path per run straight from the series' typed
 * columns, and scales ranged here (NaN gaps); a line is recomputed (smoothing, log,
 * axis) only when its series changed, and a panel none of whose series changed is not
 * redrawn on a model change.
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';

import { formatMetric } from '../../components/format';
import { IRun } from '../../tokens';
import { durationTickLabels, linearTickLabels, logTickLabels } from '../axisTicks';
import { drawBands, extents, IBand, typedLinePaths, YColumn } from '../canvasLines';
import { attachInteraction, IHover, IHoverLine } from '../chartInteraction';
import { legendOrder } from '../compareModel';
import { BAND_MAX_LINES, SeriesBuffer } from '../series';
import { smoothEma } from '../smoothing';
import { XAxis } from '../types';
import { LegendLabel, nonFiniteNote } from './MetricChart';

export const PANEL_HEIGHTS = { S: 150, M: 210, L: 300 };
export type PanelSize = keyof typeof PANEL_HEIGHTS;

/** Legend rows shown before "show all". */
const LEGEND_TOP = 10;
/**
 * Past this many lines each is stroked one device pixel wide: the canvas draws those as
 * hairlines, several times faster than wider strokes (200 runs x 4 panels is 800 of
 * them), and thin lines are what many overlapping runs need anyway.
 */
export const THIN_LINES_FROM = 20;

export interface IPanelLine {
  run: IRun;
  color: string;
  buffer: SeriesBuffer;
}

export interface IPanelProps {
  metric: string;
  /** The shown runs that logged this metric, with their colours. */
  lines: IPanelLine[];
  /** Runs hidden by the user: listed in the legend, not drawn. */
  hidden: ReadonlySet<string>;
  onToggleRun: (id: string) => void;
  /** Legend filter (case-insensitive substring of the run name). */
  legendQuery: string;
  xAxis: XAxis;
  starts: Readonly<Record<string, number>>;
  /** EMA weight in [0, 0.99]. */
  smoothing: number;
  size: PanelSize;
  /** The zoom shared by all panels, in x units (null: everything). */
  xRange: [number, number] | null;
  onZoom: (range: [number, number] | null, widthPx: number) => void;
  /** The x under the pointer in any panel (the shared crosshair). */
  crosshair: number | null;
  onCrosshair: (x: number | null) => void;
  /** This panel's own axis settings, kept by the grid (they outlive a filtered-out panel). */
  settings: IPanelSettings;
  onSettings: (settings: IPanelSettings) => void;
  /** The chart's width in CSS pixels once laid out (the grid asks for series at that resolution). */
  onWidth?: (widthPx: number) => void;
  version: number;
  themeVersion: number;
}

/** A panel's y axis: log or linear, and bounds as typed ('' for automatic). */
export interface IPanelSettings {
  logY: boolean;
  yMin: string;
  yMax: string;
}

export const DEFAULT_PANEL_SETTINGS: IPanelSettings = { logY: false, yMin: '', yMax: '' };

interface IDrawn {
  id: string;
  label: string;
  color: string;
  xs: ArrayLike<number>;
  raw: YColumn;
  ys: YColumn;
  lo: Float64Array | null;
  hi: Float64Array | null;
}

/** A drawn line kept between renders: recomputed only when its series or a setting changed. */
interface ICached {
  buffer: SeriesBuffer;
  version: number;
  key: string;
  color: string;
  drawn: IDrawn | null;
}

const AXIS_LABEL: Record<XAxis, string> = {
  step: 'step',
  wall: 'wall time',
  relative: 'time since start'
};

export function Panel(props: IPanelProps): JSX.Element {
  const { metric, lines, hidden, xAxis, smoothing, size, xRange, crosshair, themeVersion } =
    props;
  const { logY, yMin, yMax } = props.settings;
  const set = (change: Partial<IPanelSettings>) => props.onSettings({ ...props.settings, ...change });
  const [showAll, setShowAll] = useState(false);
  const [hover, setHover] = useState<IHover | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const lastDrawn = useRef<IDrawn[]>([]);
  const signature = useRef('');
  const drawnRef = useRef<IDrawn[]>([]);
  const cache = useRef(new Map<string, ICached>());
  const dataSig = useRef('');
  const range = useRef<{ x: uPlot.Range.MinMax; y: uPlot.Range.MinMax }>({ x: [0, 1], y: [0, 1] });
  const detach = useRef<(() => void) | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  const height = PANEL_HEIGHTS[size];

  // Recomputed (smoothing included) only when the data or a setting changed, not on
  // every crosshair move of a neighbouring panel.
  const linesKey = lines.map(l => `${l.run.id}:${l.color}:${hidden.has(l.run.id)}`).join(',');
  const drawn = useMemo(() => {
    const key = `${xAxis}|${smoothing}|${logY}`;
    const next = new Map<string, ICached>();
    const out: IDrawn[] = [];
    for (const line of lines) {
      if (hidden.has(line.run.id)) {
        continue;
      }
      const id = line.run.id;
      let kept = cache.current.get(id);
      if (
        !kept ||
        kept.buffer !== line.buffer ||
        kept.version !== line.buffer.version ||
        kept.key !== key ||
        kept.color !== line.color
      ) {
        kept = {
          buffer: line.buffer,
          version: line.buffer.version,
          key,
          color: line.color,
          drawn: drawnLine(line, xAxis, props.starts, smoothing, logY)
        };
      }
      next.set(id, kept);
      if (kept.drawn) {
        out.push(kept.drawn);
      }
    }
    cache.current = next;
    return out;
  }, [props.version, linesKey, xAxis, smoothing, logY]);
  drawnRef.current = drawn;
  // Nothing finite to draw (every value NaN or ±Infinity): axes on fixed ranges and a
  // note saying why there is no line.
  const nonFinite = lines.length > 0 && lines.every(l => l.buffer.allGaps);
  const lower = parseBound(yMin);
  const upper = parseBound(yMax);

  const destroy = () => {
    detach.current?.();
    detach.current = null;
    plot.current?.destroy();
    plot.current = null;
  };

  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    if (drawn.length === 0) {
      // uPlot's faceted mode needs a series: nothing shown (all hidden, or an axis whose
      // times are still being fetched) draws nothing until there is one.
      destroy();
      signature.current = '';
      el.dataset.points = '0';
      el.dataset.version = String(props.version);
      return;
    }
    const smooth = smoothing > 0;
    // The lines' objects change only when recomputed: same objects, nothing to redraw.
    const before = lastDrawn.current;
    const changed =
      drawn.length !== before.length ||
      drawn.some((d, i) => d.ys !== before[i].ys || d.xs !== before[i].xs);
    lastDrawn.current = drawn;
    const data = plotData(drawn, smooth);
    // The shared zoom, else the data's extent: uPlot asks `range` whenever it ranges.
    const found = ranges(drawn, smooth, logY, lower, upper, nonFinite, xRange);
    range.current = { x: xRange ?? found.x, y: found.y };
    const rangeSig = `${range.current.x.join(',')}|${range.current.y.join(',')}`;
    const sig = [
      drawn.map(d => d.id).join(','),
      drawn.map(d => d.color).join(','),
      themeVersion,
      logY,
      smooth,
      xAxis,
      height,
      nonFinite
    ].join('|');
    if (plot.current === null || sig !== signature.current) {
      destroy();
      const u = new uPlot(
        options(el, drawn, { range, drawn: drawnRef }, { smooth, logY, xAxis, height, nonFinite }),
        data,
        el
      );
      plot.current = u;
      signature.current = sig;
      el.dataset.axisColor = themeColors(el).text;
      detach.current = attachInteraction(u, {
        lines: () => hoverLines(drawnRef.current),
        onHover: h => {
          setHover(h);
          propsRef.current.onCrosshair(h ? h.step : null);
        },
        onZoom: () => undefined,
        onRange: (a, b) => propsRef.current.onZoom([a, b], u.over.clientWidth),
        resetZoom: () => propsRef.current.onZoom(null, u.over.clientWidth)
      });
      dataSig.current = rangeSig;
      propsRef.current.onWidth?.(el.clientWidth);
    } else if (changed || rangeSig !== dataSig.current) {
      // Redraw only when a line or a range changed (not for another panel's new points).
      plot.current.setData(data, true);
      dataSig.current = rangeSig;
    }
    el.dataset.points = String(drawn.reduce((n, d) => n + d.xs.length, 0));
    el.dataset.total = String(lines.reduce((n, l) => n + l.buffer.total, 0));
    el.dataset.version = String(props.version);
    // What is drawn, for tests: the sum of the first line's (smoothed) values.
    el.dataset.lineSum = drawn.length ? String(columnSum(drawn[0].ys)) : '';
  }, [drawn, themeVersion, lower, upper, xRange?.[0], xRange?.[1], height, nonFinite]);

  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (plot.current && el.clientWidth > 0) {
        plot.current.setSize({ width: el.clientWidth, height: PANEL_HEIGHTS[propsRef.current.size] });
        propsRef.current.onWidth?.(el.clientWidth);
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      destroy();
    };
  }, []);

  const query = props.legendQuery.trim().toLowerCase();
  const listed = legendOrder(
    lines.filter(l => !query || l.run.name.toLowerCase().includes(query)),
    l => hidden.has(l.run.id)
  );
  const shown = showAll ? listed : listed.slice(0, LEGEND_TOP);
  const cross = crosshairLeft(plot.current, crosshair);
  return (
    <figure
      className="jp-MLHubExp-chart jp-MLHubExp-panel"
      data-metric={metric}
      data-log-y={logY ? 'true' : 'false'}
      data-x-axis={xAxis}
      data-smoothing={smoothing}
    >
      <figcaption className="jp-MLHubExp-chartTitle jp-MLHubExp-panelTitle">
        <span className="jp-MLHubExp-panelName">{metric}</span>
        {xRange && (
          <span className="jp-MLHubExp-zoomHint" title="Double-click a panel to reset the zoom">
            · zoomed
          </span>
        )}
        <span className="jp-MLHubExp-panelTools">
          <label title="Logarithmic y axis">
            <input
              type="checkbox"
              checked={logY}
              aria-label={`Log y ${metric}`}
              onChange={e => set({ logY: e.target.checked })}
            />
            log
          </label>
          <input
            className="jp-MLHubExp-bound"
            placeholder="y min"
            aria-label={`Y min ${metric}`}
            value={yMin}
            onChange={e => set({ yMin: e.target.value })}
          />
          <input
            className="jp-MLHubExp-bound"
            placeholder="y max"
            aria-label={`Y max ${metric}`}
            value={yMax}
            onChange={e => set({ yMax: e.target.value })}
          />
        </span>
      </figcaption>
      <div
        className="jp-MLHubExp-canvas"
        ref={host}
        role="img"
        aria-label={`${metric} of ${drawn.length} ${drawn.length === 1 ? 'run' : 'runs'} by ${AXIS_LABEL[xAxis]}`}
      >
        {cross !== null && (
          <div className="jp-MLHubExp-crosshair" style={{ left: cross }} />
        )}
        {hover && <HoverBox hover={hover} xAxis={xAxis} />}
        {nonFinite && (
          <p className="jp-MLHubExp-chartNote" role="note">
            {nonFiniteNote(lines)}
          </p>
        )}
      </div>
      <ul className="jp-MLHubExp-legend">
        {shown.map(l => (
          <li
            key={l.run.id}
            data-run-id={l.run.id}
            data-hidden={hidden.has(l.run.id) ? 'true' : 'false'}
          >
            <button
              className="jp-MLHubExp-swatch jp-MLHubExp-swatchButton"
              style={{ background: hidden.has(l.run.id) ? 'transparent' : l.color, borderColor: l.color }}
              title={hidden.has(l.run.id) ? `Show ${l.run.name}` : `Hide ${l.run.name}`}
              aria-label={hidden.has(l.run.id) ? `Show run ${l.run.name}` : `Hide run ${l.run.name}`}
              onClick={() => props.onToggleRun(l.run.id)}
            />
            <LegendLabel run={l.run} buffer={l.buffer} />
          </li>
        ))}
        {listed.length > LEGEND_TOP && (
          <li className="jp-MLHubExp-more">
            <button className="jp-MLHub-runLink" onClick={() => setShowAll(!showAll)}>
              {showAll ? 'show fewer' : `show all ${listed.length}`}
            </button>
          </li>
        )}
      </ul>
    </figure>
  );
}

function HoverBox(props: { hover: IHover; xAxis: XAxis }): JSX.Element {
  const { hover, xAxis } = props;
  return (
    <div
      className="jp-MLHubExp-hover"
      style={{
        left: hover.flip ? hover.left - 14 : hover.left + 14,
        top: Math.max(0, hover.top - 10),
        transform: hover.flip ? 'translateX(-100%)' : undefined
      }}
    >
      <div className="jp-MLHubExp-hoverStep">{formatX(hover.step, xAxis)}</div>
      {hover.rows.map(row => (
        <div key={row.id}>
          <span className="jp-MLHubExp-swatch" style={{ background: row.color }} />
          {row.label} <b>{formatMetric(row.value)}</b>
        </div>
      ))}
    </div>
  );
}

function formatX(x: number, axis: XAxis): string {
  if (axis === 'step') {
    return `step ${x}`;
  }
  if (axis === 'wall') {
    return new Date(x * 1000).toLocaleString();
  }
  return `${formatSeconds(x)} since start`;
}

function formatSeconds(s: number): string {
  if (Math.abs(s) < 120) {
    return `${Math.round(s * 10) / 10} s`;
  }
  if (Math.abs(s) < 7200) {
    return `${Math.round(s / 6) / 10} min`;
  }
  return `${Math.round(s / 360) / 10} h`;
}

/** A y bound typed by the user, or null when blank or not a number. */
function parseBound(text: string): number | null {
  const value = Number(text.trim());
  return text.trim() === '' || !Number.isFinite(value) ? null : value;
}

/** The x values of `line` on `axis` (null when its points carry no wall times). */
function axisXs(
  buffer: SeriesBuffer,
  axis: XAxis,
  start: number | undefined
): Float64Array | null {
  if (axis === 'step') {
    return buffer.xs;
  }
  if (buffer.ts.length !== buffer.xs.length) {
    return null;
  }
  if (axis === 'wall') {
    return buffer.ts;
  }
  const origin = start ?? buffer.ts[0] ?? 0;
  const out = new Float64Array(buffer.ts.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = buffer.ts[i] - origin;
  }
  return out;
}

/** A log axis cannot show zero or negative values: a copy with those as gaps. */
function positiveOnly(ys: Float64Array): Float64Array {
  const out = new Float64Array(ys.length);
  for (let i = 0; i < ys.length; i++) {
    out[i] = ys[i] > 0 ? ys[i] : NaN;
  }
  return out;
}

function drawnLine(
  line: IPanelLine,
  axis: XAxis,
  starts: Readonly<Record<string, number>>,
  smoothing: number,
  logY: boolean
): IDrawn | null {
  const xs = axisXs(line.buffer, axis, starts[line.run.id]);
  if (xs === null) {
    return null;
  }
  const raw = logY ? positiveOnly(line.buffer.ys) : line.buffer.ys;
  const band = line.buffer.band;
  return {
    id: line.run.id,
    label: line.run.name,
    color: line.color,
    xs,
    raw,
    ys: smoothing > 0 ? smoothEma(xs, raw, smoothing) : raw,
    lo: band ? (logY ? positiveOnly(band.lo) : band.lo) : null,
    hi: band ? (logY ? positiveOnly(band.hi) : band.hi) : null
  };
}

function columnSum(ys: YColumn): number {
  let sum = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (y !== null && y === y) {
      sum += y;
    }
  }
  return sum;
}

function plotData(drawn: IDrawn[], smooth: boolean): uPlot.AlignedData {
  // Faceted data: a null x slot, then an [xs, ys] pair per series (the raw line first
  // when smoothing, so the smoothed one is drawn over it).
  const data: unknown[] = [null];
  drawn.forEach(d => {
    if (smooth) {
      data.push([d.xs, d.raw]);
    }
    data.push([d.xs, d.ys]);
  });
  return data as unknown as uPlot.AlignedData;
}

/**
 * The x and y ranges of what is drawn (uPlot's own ranging assumes null gaps): x exactly
 * the data's, y padded as uPlot pads (to nice bounds on a log axis), the user's bounds
 * first; fixed ranges when nothing finite is drawn.
 */
function ranges(
  drawn: IDrawn[],
  smooth: boolean,
  logY: boolean,
  lower: number | null,
  upper: number | null,
  nonFinite: boolean,
  xWindow: readonly [number, number] | null | undefined
): { x: uPlot.Range.MinMax; y: uPlot.Range.MinMax } {
  const columns = drawn.map(d => ({ xs: d.xs, ys: smooth ? [d.raw, d.ys] : [d.ys] }));
  // Zoomed: y from what is drawn inside the x window only (else from everything).
  const all = extents(columns, logY);
  const inWindow = xWindow ? extents(columns, logY, xWindow) : all;
  const found = { x: all.x, y: inWindow.y ?? all.y };
  const [x0, x1] = found.x ?? [0, 1];
  const x: uPlot.Range.MinMax = x0 === x1 ? [x0 - 1, x1 + 1] : [x0, x1];
  if (nonFinite || found.y === null) {
    return { x, y: [lower ?? 0, upper ?? 1] };
  }
  const [y0, y1] = found.y;
  const padded = logY ? uPlot.rangeLog(y0, y1, 10, false) : uPlot.rangeNum(y0, y1, 0.1, true);
  return { x, y: [lower ?? padded[0], upper ?? padded[1]] };
}

function hoverLines(drawn: IDrawn[]): IHoverLine[] {
  return drawn.map(d => ({ id: d.id, label: d.label, color: d.color, xs: d.xs, ys: d.ys }));
}

function crosshairLeft(u: uPlot | null, x: number | null): number | null {
  if (u === null || x === null) {
    return null;
  }
  const left = u.valToPos(x, 'x');
  if (!Number.isFinite(left) || left < 0 || left > u.over.clientWidth) {
    return null;
  }
  return u.over.offsetLeft + left;
}

/** Axis text, grid and font of the theme in force, from JupyterLab's CSS variables. */
function themeColors(el: HTMLElement): { text: string; grid: string; font: string } {
  const style = getComputedStyle(el);
  const family = style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif';
  return {
    text: style.getPropertyValue('--jp-ui-font-color2').trim(),
    grid: style.getPropertyValue('--jp-border-color2').trim(),
    font: `11px ${family}`
  };
}

/** Steps are integers: ticks at 1, 2, 5 × 10^k. */
const STEP_INCREMENTS = Array.from({ length: 30 }, (_, i) =>
  [1, 2, 5].map(m => m * 10 ** Math.floor(i / 3))
)
  .flat()
  .filter((v, i, all) => all.indexOf(v) === i);

/** A colour with `alpha` (hex `#rrggbb` or `hsl(...)`, as palette.ts makes them). */
export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#') && color.length === 7) {
    return `${color}${Math.round(alpha * 255)
      .toString(16)
      .padStart(2, '0')}`;
  }
  if (color.startsWith('hsl(')) {
    return color.replace('hsl(', 'hsla(').replace(')', `, ${alpha})`);
  }
  if (color.startsWith('rgb(')) {
    return color.replace('rgb(', 'rgba(').replace(')', `, ${alpha})`);
  }
  return color;
}

interface IOptionFlags {
  smooth: boolean;
  logY: boolean;
  xAxis: XAxis;
  height: number;
  nonFinite: boolean;
}

interface IPlotRefs {
  /** The ranges the panel computed for what it draws now. */
  range: { current: { x: uPlot.Range.MinMax; y: uPlot.Range.MinMax } };
  /** The lines drawn now (their bands are filled under them). */
  drawn: { current: IDrawn[] };
}

function options(
  el: HTMLElement,
  drawn: IDrawn[],
  refs: IPlotRefs,
  flags: IOptionFlags
): uPlot.Options {
  const { text, grid, font } = themeColors(el);
  const axis: uPlot.Axis = {
    stroke: text,
    font,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 }
  };
  // Ranged by `range` (what the panel computed), not by uPlot from the data.
  const facets: uPlot.Series.Facet[] = [
    { scale: 'x', auto: false },
    { scale: 'y', auto: false }
  ];
  const paths = typedLinePaths;
  const series: uPlot.Series[] = [{}];
  const hairline = 1 / Math.max(1, window.devicePixelRatio || 1);
  const thin = drawn.length > THIN_LINES_FROM;
  drawn.forEach(d => {
    if (flags.smooth) {
      series.push({
        label: `${d.label} (raw)`,
        stroke: withAlpha(d.color, 0.25),
        width: thin ? hairline : 1,
        paths,
        auto: false,
        points: { show: false },
        facets
      } as uPlot.Series);
    }
    series.push({
      label: d.label,
      stroke: d.color,
      width: thin ? hairline : 1.5,
      paths,
      auto: false,
      points: { show: false },
      facets
    } as uPlot.Series);
  });
  const xAxis: uPlot.Axis =
    flags.xAxis === 'step'
      ? { ...axis, incrs: STEP_INCREMENTS }
      : flags.xAxis === 'wall'
        ? {
            ...axis,
            values: (_u, ticks) => ticks.map(t => new Date(t * 1000).toLocaleTimeString())
          }
        : { ...axis, values: (_u, ticks, _i, _space, step) => durationTickLabels(ticks, step) };
  const logY = flags.logY && !flags.nonFinite;
  return {
    mode: 2,
    width: Math.max(el.clientWidth, 200),
    height: flags.height,
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: false, auto: true, range: () => refs.range.current.x },
      y: { auto: true, distr: logY ? 3 : 1, range: () => refs.range.current.y }
    },
    axes: [
      xAxis,
      {
        ...axis,
        size: 60,
        // Decimals from the tick step (uPlot's own labels stop at 3 decimals).
        values: (_u, ticks, _i, _space, step) =>
          logY ? logTickLabels(ticks) : linearTickLabels(ticks, step)
      }
    ],
    series,
    hooks: {
      // The min/max band of downsampled series, faint, under the lines (few lines only).
      drawAxes: [u => drawBands(u, bandsOf(refs.drawn.current))],
      // The ranges shown, for tests and tools (uPlot settles scales after construction).
      setScale: [
        (u, key) => {
          if (key === 'x') {
            el.dataset.xMin = String(u.scales.x.min ?? '');
            el.dataset.xMax = String(u.scales.x.max ?? '');
          } else if (key === 'y') {
            el.dataset.yMin = String(u.scales.y.min ?? '');
            el.dataset.yMax = String(u.scales.y.max ?? '');
          }
        }
      ]
    }
  };
}

/** The bands of the lines a plot draws now (none past {@link BAND_MAX_LINES}). */
function bandsOf(drawn: IDrawn[]): IBand[] {
  if (drawn.length > BAND_MAX_LINES) {
    return [];
  }
  return drawn
    .filter(d => d.lo !== null && d.hi !== null)
    .map(d => ({ xs: d.xs, lo: d.lo!, hi: d.hi!, fill: withAlpha(d.color, 0.12) }));
}
