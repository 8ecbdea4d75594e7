import React from 'react';

import { IRun } from '../tokens';
import { shownMetrics } from './format';

/** One run: its name, status and latest metrics. */
export function RunRow(props: { run: IRun }): JSX.Element {
  const { run } = props;
  const metrics = shownMetrics(run.latest_metrics ?? {});
  return (
    <li className="jp-MLHub-run" data-run-id={run.id} title={`run ${run.id}`}>
      <span className="jp-MLHub-runName">{run.name}</span>
      <span className="jp-MLHub-status" data-status={run.status}>
        {run.status}
      </span>
      {metrics.length > 0 && (
        <span className="jp-MLHub-metrics">
          {metrics.map(([key, value]) => (
            <span className="jp-MLHub-metric" key={key}>
              {key}={value}
            </span>
          ))}
        </span>
      )}
    </li>
  );
}
