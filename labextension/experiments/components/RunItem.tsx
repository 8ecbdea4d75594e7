import React from 'react';

import { formatMetric, rowMetricKeys } from '../../components/format';
import { IRun } from '../../tokens';
import { requestOpenRun } from '../events';
import { formatParam } from './format';

/** How many params and metrics a run shows inline. */
const SHOWN = 3;

export interface IRunItemProps {
  run: IRun;
  selected: boolean;
  onToggle: (run: IRun, selected: boolean) => void;
}

/** One run: a checkbox to select it, name, status, tags, key params, latest metrics. */
export function RunItem(props: IRunItemProps): JSX.Element {
  const { run, selected, onToggle } = props;
  const params = Object.keys(run.params ?? {}).sort().slice(0, SHOWN);
  const metrics = rowMetricKeys(Object.keys(run.latest_metrics ?? {}), SHOWN);
  return (
    <li
      className="jp-MLHubExp-run"
      data-run-id={run.id}
      data-run-name={run.name}
      aria-selected={selected}
    >
      <label className="jp-MLHubExp-runHead">
        <input
          type="checkbox"
          checked={selected}
          aria-label={`Select run ${run.name}`}
          onChange={event => onToggle(run, event.target.checked)}
        />
        <button
          className="jp-MLHubExp-runName jp-MLHub-runLink"
          title={`Open run ${run.name} (${run.id})`}
          onClick={event => {
            // Inside the checkbox's label: open the run, do not tick it.
            event.preventDefault();
            requestOpenRun(event.currentTarget, run.id);
          }}
        >
          {run.name}
        </button>
        <span className="jp-MLHub-status" data-status={run.status}>
          {run.status}
        </span>
      </label>
      {run.tags.length > 0 && (
        <div className="jp-MLHubExp-tags">
          {run.tags.map(tag => (
            <span className="jp-MLHubExp-tag" key={tag}>
              {tag}
            </span>
          ))}
        </div>
      )}
      {params.length > 0 && (
        <div className="jp-MLHubExp-kv jp-MLHubExp-params">
          {params.map(key => (
            <span key={key} className="jp-MLHubExp-param" title={`${key}=${formatParam(run.params[key])}`}>
              {key}={formatParam(run.params[key])}
            </span>
          ))}
        </div>
      )}
      {metrics.length > 0 && (
        <div className="jp-MLHubExp-kv jp-MLHubExp-metrics">
          {metrics.map(key => (
            <span key={key} className="jp-MLHubExp-metric" title={`${key}=${formatMetric(run.latest_metrics[key])}`}>
              {key}={formatMetric(run.latest_metrics[key])}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}
