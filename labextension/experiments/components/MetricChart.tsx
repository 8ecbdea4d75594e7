/**
 * One metric's curves, one line per run, drawn by uPlot on a canvas. uPlot's faceted
 * mode (mode 2) gives every run its own x array, so series downsampled independently
 * by the server need no alignment. Data changes go to `setData`; only a change in which
 * runs are drawn, or of theme, rebuilds the plot. The series are typed columns with NaN
 * gaps: their lines and ranges come from canvasLines.ts, as the compare view's panels.
 */
import React, { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';

import { IRun } from '../../tokens';
import { linearTickLabels } from '../axisTicks';
import { extents, typedLinePaths } from '../canvasLines';
import { attachInteraction, IHover, IHoverLine } from '../chartInteraction';
import { requestOpenRun } from '../events';
import { SeriesBuffer } from '../series';
import { formatMetric } from '../../components/format';
import { formatCell } from './format';

const HEIGHT = 220;
const LEGEND_MAX = 12;

export interface IMetricChartProps {
  metric: string;
  /** The compared runs, in order; a run's colour is `colors[i]`. */
  runs: IRun[];
  colors: string[];
  series: Map<string, SeriesBuffer>;
  /** Changes whenever the series did (the model's version). */
  version: number;
  /** Changes when the theme did: rebuilds the plot with the new colours. */
  themeVersion: number;
}

interface IDrawn {
  run: IRun;
  color: string;
  buffer: SeriesBuffer;
}

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { metric, runs, colors, series, version, themeVersion } = props;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const signature = useRef('');
  const drawnRef = useRef<IDrawn[]>([]);
  const range = useRef<IRanges>({ x: [0, 1], y: [0, 1] });
  const zoomed = useRef(false);
  // The drag-zoom's x window (null: not zoomed): y fits what is drawn inside it.
  const xWindow = useRef<[number, number] | null>(null);
  const [hover, setHover] = useState<IHover | null>(null);
  const [isZoomed, setZoomed] = useState(false);
  const detach = useRef<(() => void) | null>(null);
  const destroy = () => {
    detach.current?.();
    detach.current = null;
    plot.current?.destroy();
    plot.current = null;
  };

  const drawn: IDrawn[] = [];
  runs.forEach((run, i) => {
    const buffer = series.get(run.id);
    if (buffer) {
      drawn.push({ run, color: colors[i], buffer });
    }
  });
  drawnRef.current = drawn;
  // Nothing finite to draw (every value NaN or ±Infinity): the axes still show, with a
  // fixed y range, and a note says why there is no line.
  const nonFinite = drawn.length > 0 && drawn.every(d => d.buffer.allGaps);

  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const data = plotData(drawn);
    range.current = ranges(drawn, nonFinite, xWindow.current);
    const sig = `${drawn.map(d => d.run.id).join(',')}|${themeVersion}|${nonFinite}`;
    if (plot.current === null || sig !== signature.current) {
      destroy();
      const u = new uPlot(
        options(
          el,
          drawn.map(d => ({ label: d.run.name, color: d.color })),
          range
        ),
        data,
        el
      );
      plot.current = u;
      signature.current = sig;
      el.dataset.axisColor = themeColors(el).text;
      zoomed.current = false;
      xWindow.current = null;
      setZoomed(false);
      detach.current = attachInteraction(u, {
        lines: () => hoverLines(drawnRef.current),
        onHover: setHover,
        onZoom: z => {
          zoomed.current = z;
          setZoomed(z);
        },
        onRange: (a, b) => {
          // Fit y to the window (uPlot asks `range` for y as x changes).
          xWindow.current = [a, b];
          const d = drawnRef.current;
          range.current = ranges(d, d.length > 0 && d.every(l => l.buffer.allGaps), [a, b]);
          u.setScale('y', { min: range.current.y[0]!, max: range.current.y[1]! });
        },
        resetZoom: () => {
          xWindow.current = null;
          const d = drawnRef.current;
          range.current = ranges(d, d.length > 0 && d.every(l => l.buffer.allGaps), null);
          u.setData(plotData(d), true);
        }
      });
    } else {
      // While zoomed in, new points must not reset the chosen range.
      plot.current.setData(data, !zoomed.current);
    }
    el.dataset.points = String(drawn.reduce((n, d) => n + d.buffer.xs.length, 0));
    el.dataset.total = String(drawn.reduce((n, d) => n + d.buffer.total, 0));
    el.dataset.version = String(version);
  }, [version, themeVersion, runs, series]);

  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (plot.current && el.clientWidth > 0) {
        plot.current.setSize({ width: el.clientWidth, height: HEIGHT });
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      destroy();
    };
  }, []);

  return (
    <figure className="jp-MLHubExp-chart" data-metric={metric}>
      <figcaption className="jp-MLHubExp-chartTitle">
        {metric}
        {isZoomed && (
          <span className="jp-MLHubExp-zoomHint"> · zoomed (double-click to reset)</span>
        )}
      </figcaption>
      <div
        className="jp-MLHubExp-canvas"
        ref={host}
        role="img"
        aria-label={`${metric} of ${drawn.length} ${drawn.length === 1 ? 'run' : 'runs'} by step`}
      >
        {hover && <HoverBox hover={hover} />}
        {nonFinite && (
          <p className="jp-MLHubExp-chartNote" role="note">
            {nonFiniteNote(drawn)}
          </p>
        )}
      </div>
      <ul className="jp-MLHubExp-legend">
        {drawn.slice(0, LEGEND_MAX).map(d => (
          <li key={d.run.id} data-run-id={d.run.id}>
            <span className="jp-MLHubExp-swatch" style={{ background: d.color }} />
            <LegendLabel run={d.run} buffer={d.buffer} />
          </li>
        ))}
        {drawn.length > LEGEND_MAX && (
          <li className="jp-MLHubExp-more">+{drawn.length - LEGEND_MAX} more</li>
        )}
      </ul>
    </figure>
  );
}

/** A legend entry's run name (a link to its page) and latest value, shared with the panel grid. */
export function LegendLabel(props: { run: IRun; buffer: SeriesBuffer }): JSX.Element {
  const { run, buffer } = props;
  return (
    <>
      <button
        className="jp-MLHubExp-legendName jp-MLHub-runLink"
        title={`Open run ${run.name}`}
        onClick={event => requestOpenRun(event.currentTarget, run.id)}
      >
        {run.name}
      </button>{' '}
      <span className="jp-MLHubExp-latest">{formatCell(buffer.last)}</span>
    </>
  );
}

function HoverBox(props: { hover: IHover }): JSX.Element {
  const { hover } = props;
  return (
    <div
      className="jp-MLHubExp-hover"
      style={{
        left: hover.flip ? hover.left - 14 : hover.left + 14,
        top: Math.max(0, hover.top - 10),
        transform: hover.flip ? 'translateX(-100%)' : undefined
      }}
    >
      <div className="jp-MLHubExp-hoverStep">step {hover.step}</div>
      {hover.rows.map(row => (
        <div key={row.id}>
          <span className="jp-MLHubExp-swatch" style={{ background: row.color }} />
          {row.label} <b>{formatMetric(row.value)}</b>
        </div>
      ))}
    </div>
  );
}

/** "Only NaN values logged (2 points, steps 0–5): nothing to draw." */
export function nonFiniteNote(drawn: Array<{ buffer: SeriesBuffer }>): string {
  if (drawn.every(d => d.buffer.length === 0)) {
    // Nothing held at all (a zoom window between a sparse series' points): no null logged.
    return 'No points in this range.';
  }
  const kinds = new Set(drawn.map(d => String(d.buffer.last)));
  const what = kinds.size === 1 ? `${[...kinds][0]} values` : 'non-finite values (NaN, ±Infinity)';
  const steps = drawn.flatMap(d => Array.from(d.buffer.xs));
  const total = drawn.reduce((n, d) => n + d.buffer.total, 0);
  const first = Math.min(...steps);
  const last = Math.max(...steps);
  const at = steps.length === 0 ? '' : first === last ? `, step ${first}` : `, steps ${first}–${last}`;
  return `Only ${what} logged (${total} ${total === 1 ? 'point' : 'points'}${at}): no line to draw.`;
}

function plotData(drawn: IDrawn[]): uPlot.AlignedData {
  // Faceted data: a null x slot, then an [xs, ys] pair per series.
  const data = [null, ...drawn.map(d => [d.buffer.xs, d.buffer.ys])];
  return data as unknown as uPlot.AlignedData;
}

function hoverLines(drawn: IDrawn[]): IHoverLine[] {
  return drawn.map(d => ({
    id: d.run.id,
    label: d.run.name,
    color: d.color,
    xs: d.buffer.xs,
    ys: d.buffer.ys
  }));
}

/** Steps are integers: ticks at 1, 2, 5 × 10^k. */
const STEP_INCREMENTS = Array.from({ length: 30 }, (_, i) =>
  [1, 2, 5].map(m => m * 10 ** Math.floor(i / 3))
)
  .flat()
  .filter((v, i, all) => all.indexOf(v) === i);

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

export interface IRanges {
  x: uPlot.Range.MinMax;
  y: uPlot.Range.MinMax;
}

/**
 * The data's x extent and its y extent padded as uPlot pads (zoomed: y of what is drawn
 * inside the x window); fixed when nothing is finite.
 */
export function ranges(
  drawn: Array<{ buffer: { xs: ArrayLike<number>; ys: ArrayLike<number> } }>,
  nonFinite: boolean,
  xWindow: readonly [number, number] | null
): IRanges {
  const columns = drawn.map(d => ({ xs: d.buffer.xs, ys: [d.buffer.ys] }));
  const all = extents(columns, false);
  const found = { x: all.x, y: (xWindow && extents(columns, false, xWindow).y) || all.y };
  if (nonFinite || found.y === null || found.x === null) {
    // Around the logged steps, with no value to range y by.
    const steps = drawn.flatMap(d => Array.from(d.buffer.xs));
    const x = padRange(
      null as unknown as uPlot,
      steps.length ? Math.min(...steps) : null,
      steps.length ? Math.max(...steps) : null
    );
    return { x, y: [0, 1] };
  }
  return {
    x: padRange(null as unknown as uPlot, found.x[0], found.x[1]),
    y: uPlot.rangeNum(found.y[0], found.y[1], 0.1, true)
  };
}

/** An x range around the logged steps, also for a single step (uPlot finds none then). */
export function padRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) {
    return [0, 1];
  }
  return min === max ? [min - 1, max + 1] : [min, max];
}

/** Plot options with axis and grid colours taken from the current theme. */
function options(
  el: HTMLElement,
  lines: Array<{ label: string; color: string }>,
  range: { current: IRanges }
): uPlot.Options {
  const { text, grid, font } = themeColors(el);
  const axis: uPlot.Axis = {
    stroke: text,
    font,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 }
  };
  return {
    mode: 2,
    width: Math.max(el.clientWidth, 200),
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    // Ranged from the typed columns here (uPlot's ranging assumes null gaps, not NaN);
    // with no finite value, fixed ranges, else uPlot would draw no axes at all.
    scales: {
      x: { time: false, auto: true, range: () => range.current.x },
      y: { auto: true, range: () => range.current.y }
    },
    axes: [
      { ...axis, incrs: STEP_INCREMENTS },
      // Decimals from the tick step (uPlot's own labels stop at 3 decimals).
      { ...axis, size: 60, values: (_u, ticks, _i, _space, step) => linearTickLabels(ticks, step) }
    ],
    series: [
      {},
      ...lines.map(line => ({
        label: line.label,
        stroke: line.color,
        width: 1.5,
        paths: typedLinePaths,
        auto: false,
        points: { show: false },
        facets: [
          { scale: 'x', auto: false },
          { scale: 'y', auto: false }
        ]
      }))
    ],
    hooks: {
      // The y range shown, for tests (a zoom fits it to the window).
      setScale: [
        (u, key) => {
          if (key === 'y') {
            el.dataset.yMin = String(u.scales.y.min ?? '');
            el.dataset.yMax = String(u.scales.y.max ?? '');
          }
        }
      ]
    }
  };
}
