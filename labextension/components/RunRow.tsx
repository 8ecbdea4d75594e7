import React from 'react';

import { requestOpenRun } from '../experiments/events';
import { IRun } from '../tokens';
import { shownMetrics } from './format';

/** One run: its name, status and latest metrics. */
export function RunRow(props: { run: IRun }): JSX.Element {
  const { run } = props;
  const metrics = shownMetrics(run.latest_metrics ?? {});
  return (
    <li className="jp-MLHub-run" data-run-id={run.id} title={`run ${run.id}`}>
      <button
        className="jp-MLHub-runName jp-MLHub-runLink"
        title={`Open run ${run.name}`}
        onClick={event => requestOpenRun(event.currentTarget, run.id)}
      >
        {run.name}
      </button>
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
