/**
 * One panel of the compare view's grid: a metric's curves, one line per shown run, on
 * the x axis all panels share (step, wall time or time since the run's start), smoothed
 * by a time-weighted EMA with the raw line faint behind, a faint min/max band where the
 * server downsampled, log or linear y with optional bounds, and the zoom and crosshair
 * of the whole grid. Drawn by uPlot (faceted mode: every run has its own x array).
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';

import { formatMetric } from '../../components/format';
import { IRun } from '../../tokens';
import { attachInteraction, IHover, IHoverLine } from '../chartInteraction';
import { SeriesBuffer } from '../series';
import { smoothEma } from '../smoothing';
import { XAxis } from '../types';
import { LegendLabel, nonFiniteNote, padRange } from './MetricChart';

export const PANEL_HEIGHTS = { S: 150, M: 210, L: 300 };
export type PanelSize = keyof typeof PANEL_HEIGHTS;

/** Legend rows shown before "show all". */
const LEGEND_TOP = 10;

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
  xs: number[];
  raw: (number | null)[];
  ys: (number | null)[];
  lo: (number | null)[] | null;
  hi: (number | null)[] | null;
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
  const signature = useRef('');
  const drawnRef = useRef<IDrawn[]>([]);
  const detach = useRef<(() => void) | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  const height = PANEL_HEIGHTS[size];

  // Recomputed (smoothing included) only when the data or a setting changed, not on
  // every crosshair move of a neighbouring panel.
  const linesKey = lines.map(l => `${l.run.id}:${l.color}:${hidden.has(l.run.id)}`).join(',');
  const drawn = useMemo(
    () =>
      lines
        .filter(line => !hidden.has(line.run.id))
        .map(line => drawnLine(line, xAxis, props.starts, smoothing, logY))
        .filter((d): d is IDrawn => d !== null),
    [props.version, linesKey, xAxis, smoothing, logY]
  );
  drawnRef.current = drawn;
  // Nothing finite to draw (every value NaN or ±Infinity): axes on fixed ranges and a
  // note saying why there is no line.
  const nonFinite =
    lines.length > 0 && lines.every(l => l.buffer.ys.every(y => y === null));
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
    const data = plotData(drawn, smooth);
    const sig = [
      drawn.map(d => d.id).join(','),
      drawn.map(d => d.color).join(','),
      themeVersion,
      logY,
      smooth,
      lower,
      upper,
      xAxis,
      height,
      nonFinite
    ].join('|');
    if (plot.current === null || sig !== signature.current) {
      destroy();
      const u = new uPlot(
        options(el, drawn, { smooth, logY, lower, upper, xAxis, height, nonFinite }),
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
    } else {
      plot.current.setData(data, xRange === null);
    }
    if (xRange !== null) {
      plot.current.setScale('x', { min: xRange[0], max: xRange[1] });
    }
    el.dataset.points = String(drawn.reduce((n, d) => n + d.xs.length, 0));
    el.dataset.total = String(lines.reduce((n, l) => n + l.buffer.total, 0));
    el.dataset.version = String(props.version);
    // What is drawn, for tests: the sum of the first line's (smoothed) values.
    el.dataset.lineSum = drawn.length
      ? String(drawn[0].ys.reduce<number>((n, y) => n + (y ?? 0), 0))
      : '';
  }, [drawn, themeVersion, lower, upper, xRange?.[0], xRange?.[1], height, nonFinite]);

  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (plot.current && el.clientWidth > 0) {
        plot.current.setSize({ width: el.clientWidth, height: PANEL_HEIGHTS[propsRef.current.size] });
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      destroy();
    };
  }, []);

  const query = props.legendQuery.trim().toLowerCase();
  const listed = lines.filter(l => !query || l.run.name.toLowerCase().includes(query));
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
): number[] | null {
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
  return buffer.ts.map(t => t - origin);
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
  // A log axis cannot show zero or negative values: they become gaps.
  const positive = (ys: (number | null)[]) =>
    logY ? ys.map(y => (y !== null && y > 0 ? y : null)) : ys;
  const raw = positive(line.buffer.ys);
  const band = line.buffer.band;
  return {
    id: line.run.id,
    label: line.run.name,
    color: line.color,
    xs,
    raw,
    ys: smoothing > 0 ? smoothEma(xs, raw, smoothing) : raw,
    lo: band ? positive(band.lo) : null,
    hi: band ? positive(band.hi) : null
  };
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
  lower: number | null;
  upper: number | null;
  xAxis: XAxis;
  height: number;
  nonFinite: boolean;
}

function options(el: HTMLElement, drawn: IDrawn[], flags: IOptionFlags): uPlot.Options {
  const { text, grid, font } = themeColors(el);
  const axis: uPlot.Axis = {
    stroke: text,
    font,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 }
  };
  const linear = uPlot.paths.linear?.();
  const facets: uPlot.Series.Facet[] = [
    { scale: 'x', auto: true },
    { scale: 'y', auto: true }
  ];
  const series: uPlot.Series[] = [{}];
  drawn.forEach(d => {
    if (flags.smooth) {
      series.push({
        label: `${d.label} (raw)`,
        stroke: withAlpha(d.color, 0.25),
        width: 1,
        paths: linear,
        points: { show: false },
        facets
      } as uPlot.Series);
    }
    series.push({
      label: d.label,
      stroke: d.color,
      width: 1.5,
      paths: linear,
      points: { show: false },
      facets
    } as uPlot.Series);
  });
  const { lower, upper } = flags;
  const xAxis: uPlot.Axis =
    flags.xAxis === 'step'
      ? { ...axis, incrs: STEP_INCREMENTS }
      : flags.xAxis === 'wall'
        ? {
            ...axis,
            values: (_u, ticks) => ticks.map(t => new Date(t * 1000).toLocaleTimeString())
          }
        : { ...axis, values: (_u, ticks) => ticks.map(formatSeconds) };
  return {
    mode: 2,
    width: Math.max(el.clientWidth, 200),
    height: flags.height,
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: flags.nonFinite ? { time: false, range: padRange } : { time: false },
      y: flags.nonFinite
        ? { auto: false, range: [0, 1] }
        : {
            distr: flags.logY ? 3 : 1,
            range:
              lower === null && upper === null
                ? undefined
                : (_u, min, max) => [lower ?? min, upper ?? max]
          }
    },
    axes: [xAxis, { ...axis, size: 60 }],
    series,
    hooks: {
      // The min/max band of downsampled series, faint, under the lines.
      drawAxes: [u => drawBands(u, drawn)],
      // The x range shown, for tests and tools (uPlot settles scales after construction).
      setScale: [
        (u, key) => {
          if (key === 'x') {
            el.dataset.xMin = String(u.scales.x.min ?? '');
            el.dataset.xMax = String(u.scales.x.max ?? '');
          }
        }
      ]
    }
  };
}

function drawBands(u: uPlot, drawn: IDrawn[]): void {
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  for (const d of drawn) {
    if (!d.lo || !d.hi) {
      continue;
    }
    ctx.fillStyle = withAlpha(d.color, 0.12);
    ctx.beginPath();
    let open = false;
    const upper: Array<[number, number]> = [];
    const flush = () => {
      for (let k = upper.length - 1; k >= 0; k--) {
        ctx.lineTo(upper[k][0], upper[k][1]);
      }
      ctx.closePath();
      upper.length = 0;
      open = false;
    };
    for (let i = 0; i < d.xs.length; i++) {
      const lo = d.lo[i];
      const hi = d.hi[i];
      if (lo === null || hi === null) {
        if (open) {
          flush();
        }
        continue;
      }
      const x = u.valToPos(d.xs[i], 'x', true);
      const y0 = u.valToPos(lo, 'y', true);
      if (open) {
        ctx.lineTo(x, y0);
      } else {
        ctx.moveTo(x, y0);
        open = true;
      }
      upper.push([x, u.valToPos(hi, 'y', true)]);
    }
    if (open) {
      flush();
    }
    ctx.fill();
  }
  ctx.restore();
}
