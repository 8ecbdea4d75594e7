/**
 * Parallel coordinates in SVG: an axis per param (numbers on a linear scale, or a log one
 * when they span two decades or more; text in order), the chosen metric last, and a line
 * per run coloured by its metric on a continuous scale. Hovering a line names the run;
 * dragging along an axis brushes a range (lines outside every brush fade), a double click
 * on the axis clears its brush, and the brushed runs can become the table's selection.
 */
import React, { useState } from 'react';

import { formatMetric } from '../../components/format';
import { IRun } from '../../tokens';
import { requestOpenRun } from '../events';
import { formatParam } from '../components/format';
import { asNumber, scaleColor } from './columns';

const AXIS_GAP = 140;
const HEIGHT = 340;
const PAD_TOP = 36;
const PAD_BOTTOM = 28;
const PAD_X = 60;

/** How one axis places values: a position in [0, 1] (0 at the bottom), or null. */
export interface IAxis {
  key: string;
  label: string;
  kind: 'linear' | 'log' | 'ordinal';
  ticks: Array<{ at: number; text: string }>;
  place: (value: unknown) => number | null;
}

/** Build an axis over the values of the runs (undefined values are ignored). */
export function makeAxis(key: string, label: string, values: unknown[]): IAxis {
  const present = values.filter(v => v !== undefined && v !== null);
  const numbers = present.map(asNumber);
  if (present.length && numbers.every(n => n !== null)) {
    const nums = numbers as number[];
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const log = min > 0 && max / min >= 100;
    const f = (v: number) => (log ? Math.log10(v) : v);
    const [lo, hi] = [f(min), f(max)];
    const place = (value: unknown): number | null => {
      const n = asNumber(value);
      if (n === null || (log && n <= 0)) {
        return null;
      }
      return hi === lo ? 0.5 : (f(n) - lo) / (hi - lo);
    };
    const ticks = hi === lo ? [{ at: 0.5, text: formatMetric(min) }] : [
      { at: 0, text: formatMetric(min) },
      { at: 0.5, text: formatMetric(log ? Math.pow(10, (lo + hi) / 2) : (min + max) / 2) },
      { at: 1, text: formatMetric(max) }
    ];
    return { key, label, kind: log ? 'log' : 'linear', ticks, place };
  }
  const categories = [...new Set(present.map(v => formatParam(v)))].sort();
  const at = (i: number) => (categories.length === 1 ? 0.5 : i / (categories.length - 1));
  return {
    key,
    label,
    kind: 'ordinal',
    ticks: categories.map((text, i) => ({ at: at(i), text })),
    place: value => {
      if (value === undefined || value === null) {
        return null;
      }
      const i = categories.indexOf(formatParam(value));
      return i < 0 ? null : at(i);
    }
  };
}

/** The params the runs have, sorted, each an axis; the metric's axis last. */
export function parallelAxes(runs: IRun[], metric: string): IAxis[] {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(run.params ?? {}).forEach(k => keys.add(k)));
  const axes = [...keys].sort().map(k => makeAxis(`params.${k}`, k, runs.map(r => r.params?.[k])));
  if (metric) {
    axes.push(makeAxis(`metrics.${metric}`, metric, runs.map(r => metricOf(r, metric))));
  }
  return axes;
}

/** A run's latest value of `metric` as a finite number, else undefined. */
export function metricOf(run: IRun, metric: string): number | undefined {
  const value = run.latest_metrics?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A brushed range of an axis, in its [0, 1] positions (lo ≤ hi). */
export type Brushes = Record<string, [number, number]>;

/** An axis' value for a run: the param, or the metric on the metric's axis. */
export function axisValue(run: IRun, axis: IAxis, metric: string): unknown {
  return axis.key.startsWith('params.') ? run.params?.[axis.label] : metricOf(run, metric);
}

/** Whether a run lies within every brush (a run lacking a brushed axis' value does not). */
export function inBrushes(run: IRun, axes: IAxis[], brushes: Brushes, metric: string): boolean {
  return axes.every(axis => {
    const brush = brushes[axis.key];
    if (!brush) {
      return true;
    }
    const t = axis.place(axisValue(run, axis, metric));
    return t !== null && t >= brush[0] - 1e-9 && t <= brush[1] + 1e-9;
  });
}

export interface IParallelProps {
  runs: IRun[];
  metric: string;
  /** More runs match than were drawn (the first 1,000). */
  truncated: boolean;
  /** Make these runs the table's selection. */
  onSelect?: (ids: string[]) => void;
}

export function ParallelCoordinates(props: IParallelProps): JSX.Element {
  const { runs, metric } = props;
  const [hover, setHover] = useState<string | null>(null);
  const [brushes, setBrushes] = useState<Brushes>({});
  const [drag, setDrag] = useState<{ axis: string; from: number; to: number } | null>(null);
  if (!metric) {
    return <div className="jp-MLHub-empty">Choose a metric: no run has logged one yet.</div>;
  }
  if (runs.length === 0) {
    return <div className="jp-MLHub-empty">No runs to draw.</div>;
  }
  const axes = parallelAxes(runs, metric);
  const width = PAD_X * 2 + Math.max(1, axes.length - 1) * AXIS_GAP;
  const plot = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const y = (t: number) => PAD_TOP + (1 - t) * plot;
  const values = runs.map(r => metricOf(r, metric)).filter((v): v is number => v !== undefined);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const color = (run: IRun) => {
    const v = metricOf(run, metric);
    return v === undefined ? 'var(--jp-border-color1)' : scaleColor(hi === lo ? 0.5 : (v - lo) / (hi - lo));
  };
  const path = (run: IRun): string => {
    let d = '';
    let pen = false;
    axes.forEach((axis, i) => {
      const t = axis.place(axisValue(run, axis, metric));
      if (t === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${PAD_X + i * AXIS_GAP},${y(t).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const hovered = runs.find(r => r.id === hover);
  const live: Brushes = drag
    ? { ...brushes, [drag.axis]: [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)] }
    : brushes;
  const brushed = Object.keys(live).length > 0;
  const kept = brushed ? runs.filter(run => inBrushes(run, axes, live, metric)) : runs;
  const keptIds = new Set(kept.map(r => r.id));
  const endDrag = () => {
    if (drag) {
      const next = { ...brushes };
      if (Math.abs(drag.to - drag.from) < 0.01) {
        delete next[drag.axis];
      } else {
        next[drag.axis] = [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)];
      }
      setBrushes(next);
      setDrag(null);
    }
  };
  const toT = (event: React.MouseEvent<SVGElement>): number => {
    const box = (event.currentTarget.ownerSVGElement ?? event.currentTarget).getBoundingClientRect();
    const py = event.clientY - box.top;
    return Math.min(1, Math.max(0, 1 - (py - PAD_TOP) / plot));
  };
  return (
    <div className="jp-MLHubRT-parallel">
      <div className="jp-MLHubRT-chartNote">
        {runs.length} runs{props.truncated ? ' (the first 1,000 in the table’s order)' : ''}, coloured by{' '}
        {metric}
        <span className="jp-MLHubRT-scale" aria-hidden="true" />
        <span className="jp-MLHubRT-scaleText">
          {formatMetric(lo)} → {formatMetric(hi)}
        </span>
        {hovered && (
          <span className="jp-MLHubRT-hoverName">
            {hovered.name}: {formatMetric(metricOf(hovered, metric) ?? null)}
          </span>
        )}
      </div>
      <div className="jp-MLHubRT-brushed">
        {brushed ? (
          <>
            {kept.length} of {runs.length} runs in the brushed ranges
            {props.onSelect && !drag && (
              <button
                className="jp-Button jp-mod-styled jp-mod-reject"
                onClick={() => props.onSelect?.(kept.map(r => r.id))}
              >
                Select these {kept.length}
              </button>
            )}
            <button className="jp-Button jp-mod-styled jp-mod-reject" onClick={() => setBrushes({})}>
              Clear brushes
            </button>
          </>
        ) : (
          <span className="jp-MLHubRT-hint">Drag along an axis to keep a range of it</span>
        )}
      </div>
      <svg
        onMouseMove={event => drag && setDrag({ ...drag, to: toT(event) })}
        onMouseUp={endDrag}
        onMouseLeave={endDrag}
        className="jp-MLHubRT-pcSvg"
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`Parallel coordinates of ${runs.length} runs`}
      >
        <g className="jp-MLHubRT-pcLines">
          {runs.map(run => (
            <path
              key={run.id}
              className={`jp-MLHubRT-pcLine${hover === run.id ? ' jp-mod-hover' : ''}${
                keptIds.has(run.id) ? '' : ' jp-mod-faded'
              }`}
              data-run-id={run.id}
              d={path(run)}
              style={{ stroke: color(run) }}
              onMouseEnter={() => setHover(run.id)}
              onMouseLeave={() => setHover(null)}
              onClick={event => requestOpenRun(event.currentTarget as unknown as Element, run.id)}
            >
              <title>{`${run.name}: ${metric} = ${formatMetric(metricOf(run, metric) ?? null)}`}</title>
            </path>
          ))}
        </g>
        {axes.map((axis, i) => {
          const x = PAD_X + i * AXIS_GAP;
          return (
            <g key={axis.key} className="jp-MLHubRT-pcAxis" data-axis={axis.key}>
              <line x1={x} x2={x} y1={y(0)} y2={y(1)} />
              {live[axis.key] && (
                <rect
                  className="jp-MLHubRT-brush"
                  x={x - 8}
                  width={16}
                  y={y(live[axis.key][1])}
                  height={Math.max(2, y(live[axis.key][0]) - y(live[axis.key][1]))}
                />
              )}
              <rect
                className="jp-MLHubRT-brushArea"
                data-axis={axis.key}
                x={x - 12}
                width={24}
                y={y(1) - 4}
                height={plot + 8}
                onMouseDown={event => {
                  event.preventDefault();
                  const t = toT(event);
                  setDrag({ axis: axis.key, from: t, to: t });
                }}
                onDoubleClick={() => {
                  const next = { ...brushes };
                  delete next[axis.key];
                  setBrushes(next);
                }}
              >
                <title>Drag to brush a range of {axis.label}; double click clears it</title>
              </rect>
              <text x={x} y={PAD_TOP - 16} textAnchor="middle" className="jp-MLHubRT-pcLabel">
                {axis.label}
                {axis.kind === 'log' ? ' (log)' : ''}
              </text>
              {axis.ticks.map(tick => (
                <text key={tick.text} x={x + 5} y={y(tick.at) + 4} className="jp-MLHubRT-pcTick">
                  {tick.text}
                </text>
              ))}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
