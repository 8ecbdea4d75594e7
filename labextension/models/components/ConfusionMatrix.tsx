/**
 * A confusion matrix drawn on a canvas: rows are true labels, columns predictions, cell
 * shade proportional to the row's share, counts written in each cell. Colours are read
 * from the theme, so it redraws on a theme change.
 */
import React, { useEffect, useRef } from 'react';

import { labelText } from './format';

const CELL = 44;
const MARGIN = 90;

export interface IConfusionMatrixProps {
  labels: unknown[];
  matrix: number[][];
  themeVersion: number;
}

export function ConfusionMatrix(props: IConfusionMatrixProps): JSX.Element {
  const { labels, matrix, themeVersion } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const n = labels.length;
  const size = MARGIN + n * CELL + 48;

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    el.width = size * ratio;
    el.height = size * ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw(ctx, el, labels.map(labelText), matrix, size);
  }, [labels, matrix, themeVersion]);

  return (
    <figure className="jp-MLHubModels-chart" data-chart="confusion matrix">
      <figcaption className="jp-MLHubModels-chartTitle">Confusion matrix (rows: true, columns: predicted)</figcaption>
      <canvas
        ref={canvas}
        className="jp-MLHubModels-confusion"
        style={{ width: size, height: size }}
        aria-label="confusion matrix"
        data-cells={matrix.flat().join(',')}
      />
    </figure>
  );
}

function draw(
  ctx: CanvasRenderingContext2D,
  el: HTMLElement,
  labels: string[],
  matrix: number[][],
  size: number
): void {
  const style = getComputedStyle(el);
  const text = style.getPropertyValue('--jp-ui-font-color1').trim();
  const brand = style.getPropertyValue('--jp-brand-color1').trim();
  // On a strong brand-coloured cell: white in Light, black in Dark (whose brand is brighter).
  const inverse = style.getPropertyValue('--jp-ui-inverse-font-color0').trim();
  const font = style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif';
  ctx.clearRect(0, 0, size, size);
  ctx.font = `11px ${font}`;
  ctx.textBaseline = 'middle';
  labels.forEach((label, i) => {
    ctx.fillStyle = text;
    ctx.textAlign = 'right';
    ctx.fillText(clip(label), MARGIN - 6, MARGIN + i * CELL + CELL / 2);
    ctx.save();
    ctx.translate(MARGIN + i * CELL + CELL / 2, MARGIN - 6);
    ctx.rotate(-Math.PI / 4);
    ctx.textAlign = 'left';
    ctx.fillText(clip(label), 0, 0);
    ctx.restore();
  });
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, j) => {
      const x = MARGIN + j * CELL;
      const y = MARGIN + i * CELL;
      ctx.globalAlpha = 0.08 + 0.92 * (count / total);
      ctx.fillStyle = brand;
      ctx.fillRect(x, y, CELL - 2, CELL - 2);
      ctx.globalAlpha = 1;
      ctx.fillStyle = count / total > 0.5 ? inverse : text;
      ctx.textAlign = 'center';
      ctx.fillText(String(count), x + CELL / 2 - 1, y + CELL / 2 - 1);
    });
  });
}

function clip(label: string): string {
  return label.length > 12 ? `${label.slice(0, 11)}…` : label;
}
