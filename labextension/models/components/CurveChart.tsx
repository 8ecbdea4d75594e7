/**
 * Curves (ROC, precision-recall, loss) drawn by uPlot on a canvas. Faceted mode gives
 * every line its own x array, since each class's curve has its own points. Axis colours
 * come from the theme's variables; a theme change rebuilds the plot.
 */
import React, { useEffect, useRef } from 'react';
import uPlot from 'uplot';

import { runColor } from '../../experiments/palette';

const HEIGHT = 220;

export interface ILine {
  label: string;
  xs: number[];
  ys: Array<number | null>;
  dashed?: boolean;
}

export interface ICurveChartProps {
  title: string;
  lines: ILine[];
  xLabel: string;
  yLabel: string;
  themeVersion: number;
  /** Fixed [0, 1] axes (ROC, PR), else automatic. */
  unit?: boolean;
}

export function CurveChart(props: ICurveChartProps): JSX.Element {
  const { title, lines, xLabel, yLabel, themeVersion, unit } = props;
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const data = [null, ...lines.map(l => [l.xs, l.ys])];
    const plot = new uPlot(
      options(el, lines, xLabel, yLabel, unit ?? false),
      data as unknown as uPlot.AlignedData,
      el
    );
    el.dataset.lines = String(lines.length);
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0) {
        plot.setSize({ width: el.clientWidth, height: HEIGHT });
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [lines, themeVersion]);

  return (
    <figure className="jp-MLHubModels-chart" data-chart={title}>
      <figcaption className="jp-MLHubModels-chartTitle">{title}</figcaption>
      <div className="jp-MLHubModels-canvas" ref={host} />
      <ul className="jp-MLHubExp-legend">
        {lines.map((line, i) => (
          <li key={line.label}>
            <span className="jp-MLHubExp-swatch" style={{ background: runColor(i) }} />
            {line.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}

let measure: CanvasRenderingContext2D | null = null;

/**
 * The y axis's width in CSS pixels: its widest tick label plus the tick and gaps, so that
 * long labels (0.00012, 1e-7) are not clipped at the chart's left edge.
 */
function axisWidth(values: string[] | null | undefined, font: string): number {
  measure = measure ?? document.createElement('canvas').getContext('2d');
  if (!values || values.length === 0 || !measure) {
    return 50;
  }
  measure.font = font;
  const widest = Math.max(...values.map(v => measure?.measureText(String(v)).width ?? 0));
  return Math.max(40, Math.ceil(widest) + 18);
}

function options(
  el: HTMLElement,
  lines: ILine[],
  xLabel: string,
  yLabel: string,
  unit: boolean
): uPlot.Options {
  const style = getComputedStyle(el);
  const text = style.getPropertyValue('--jp-ui-font-color1').trim();
  const grid = style.getPropertyValue('--jp-border-color2').trim();
  const font = `11px ${style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif'}`;
  const axis: uPlot.Axis = {
    stroke: text,
    font,
    labelFont: font,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 }
  };
  const range: uPlot.Scale.Range = (_u, min, max) => (unit ? [0, 1] : [min, max]);
  const linear = uPlot.paths.linear?.();
  return {
    mode: 2,
    width: Math.max(el.clientWidth, 240),
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range }, y: { range } },
    axes: [
      { ...axis, label: xLabel },
      { ...axis, label: yLabel, size: (_u, values) => axisWidth(values, font) }
    ],
    series: [
      {},
      ...lines.map((line, i) => ({
        label: line.label,
        stroke: runColor(i),
        width: 1.5,
        dash: line.dashed ? [6, 4] : undefined,
        paths: linear,
        points: { show: false },
        facets: [
          { scale: 'x', auto: !unit },
          { scale: 'y', auto: !unit }
        ]
      }))
    ]
  };
}
