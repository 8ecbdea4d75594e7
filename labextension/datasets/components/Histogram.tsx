/** A small bar chart of a column's histogram (counts per equal-width bin). */
import React from 'react';

import { formatValue } from './format';

export function Histogram(props: {
  counts: number[];
  edges: number[];
  width?: number;
  height?: number;
}): JSX.Element {
  const width = props.width ?? 120;
  const height = props.height ?? 32;
  const max = Math.max(1, ...props.counts);
  const bar = width / Math.max(1, props.counts.length);
  const lo = props.edges[0];
  const hi = props.edges[props.edges.length - 1];
  return (
    <svg
      className="jp-MLHub-histogram"
      width={width}
      height={height}
      role="img"
      aria-label={`histogram from ${formatValue(lo)} to ${formatValue(hi)}`}
    >
      {props.counts.map((count, i) => {
        const h = (count / max) * (height - 1);
        return (
          <rect key={i} x={i * bar} y={height - h} width={Math.max(1, bar - 1)} height={h}>
            <title>{`${formatValue(props.edges[i])} – ${formatValue(props.edges[i + 1])}: ${count}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
