/**
 * One metric's curves, one line per run, drawn by uPlot on a canvas. uPlot's faceted
 * mode (mode 2) gives every run its own x array, so series downsampled independently
 * by the server need no alignment. Data changes go to `setData`; only a change in which
 * runs are drawn, or of theme, rebuilds the plot.
 */
import React, { useEffect, useRef } from 'react';
import uPlot from 'uplot';

import { IRun } from '../../tokens';
import { SeriesBuffer } from '../series';
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

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { metric, runs, colors, series, version, themeVersion } = props;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const signature = useRef('');

  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const drawn = runs
      .map((run, i) => ({ run, color: colors[i], buffer: series.get(run.id) }))
      .filter(d => d.buffer !== undefined) as Array<{
      run: IRun;
      color: string;
      buffer: SeriesBuffer;
    }>;
    const data = [null, ...drawn.map(d => [d.buffer.xs, d.buffer.ys])];
    const sig = `${drawn.map(d => d.run.id).join(',')}|${themeVersion}`;
    if (plot.current === null || sig !== signature.current) {
      plot.current?.destroy();
      plot.current = new uPlot(
        options(el, drawn.map(d => ({ label: d.run.name, color: d.color }))),
        data as unknown as uPlot.AlignedData,
        el
      );
      signature.current = sig;
    } else {
      plot.current.setData(data as unknown as uPlot.AlignedData);
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
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  const legend = runs
    .map((run, i) => ({ run, color: colors[i], buffer: series.get(run.id) }))
    .filter(d => d.buffer !== undefined);
  return (
    <figure className="jp-MLHubExp-chart" data-metric={metric}>
      <figcaption className="jp-MLHubExp-chartTitle">{metric}</figcaption>
      <div className="jp-MLHubExp-canvas" ref={host} />
      <ul className="jp-MLHubExp-legend">
        {legend.slice(0, LEGEND_MAX).map(d => (
          <li key={d.run.id} data-run-id={d.run.id}>
            <span className="jp-MLHubExp-swatch" style={{ background: d.color }} />
            <span className="jp-MLHubExp-legendName">{d.run.name}</span>{' '}
            <span className="jp-MLHubExp-latest">{formatCell(d.buffer?.last)}</span>
          </li>
        ))}
        {legend.length > LEGEND_MAX && (
          <li className="jp-MLHubExp-more">+{legend.length - LEGEND_MAX} more</li>
        )}
      </ul>
    </figure>
  );
}

/** Plot options with axis and grid colours taken from the current theme. */
function options(
  el: HTMLElement,
  lines: Array<{ label: string; color: string }>
): uPlot.Options {
  const style = getComputedStyle(el);
  const text = style.getPropertyValue('--jp-ui-font-color2').trim() || '#757575';
  const grid = style.getPropertyValue('--jp-border-color2').trim() || '#e0e0e0';
  const font = `11px ${style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif'}`;
  const axis: uPlot.Axis = {
    stroke: text,
    font,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 }
  };
  const linear = uPlot.paths.linear?.();
  return {
    mode: 2,
    width: Math.max(el.clientWidth, 200),
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false }, y: { auto: true } },
    axes: [axis, { ...axis, size: 60 }],
    series: [
      {},
      ...lines.map(line => ({
        label: line.label,
        stroke: line.color,
        width: 1.5,
        paths: linear,
        points: { show: false },
        facets: [
          { scale: 'x', auto: true },
          { scale: 'y', auto: true }
        ]
      }))
    ]
  };
}
