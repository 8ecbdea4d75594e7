import React, { useState } from 'react';

import { CompareModel } from '../compareModel';
import { runColor } from '../palette';
import { DiffTable } from './DiffTable';
import { PanelGrid } from './PanelGrid';

export interface ICompareViewProps {
  model: CompareModel;
  /** The model's version when this render was asked for. */
  version: number;
  themeVersion: number;
}

const STATUS_TEXT = { live: 'live', connecting: 'connecting…', closed: 'offline' };

/** Beyond this many runs a side-by-side column per run stops being readable. */
export const SIDE_BY_SIDE_MAX = 8;

/**
 * Table of params and metrics side by side (up to {@link SIDE_BY_SIDE_MAX} runs), then
 * the panel grid: one panel per metric with a line per run.
 */
export function CompareView(props: ICompareViewProps): JSX.Element {
  const { model, version, themeVersion } = props;
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const runs = model.runs;
  const colors = model.runIds.map((_, i) => runColor(i));
  const runColors = runs.map(run => colors[model.runIds.indexOf(run.id)]);
  const loadMs = model.loadMs;
  // "live" only means something while a run can still log: no badge once all have ended.
  const running = runs.some(run => run.status === 'running');
  return (
    <div
      className="jp-MLHubExp-compare"
      data-loading={model.loading ? 'true' : 'false'}
      data-load-ms={loadMs === null ? undefined : Math.round(loadMs)}
      data-zoom-ms={model.zoomMs === null ? undefined : Math.round(model.zoomMs)}
      data-x-axis={model.xAxis}
      data-max-points={model.maxPoints}
    >
      <header className="jp-MLHubExp-compareHeader">
        <h2 className="jp-MLHub-title">
          Compare {model.runIds.length} {model.runIds.length === 1 ? 'run' : 'runs'}
        </h2>
        {running && (
          <span className="jp-MLHubExp-stream" data-status={model.streamStatus}>
            {STATUS_TEXT[model.streamStatus]}
          </span>
        )}
        {runs.length <= SIDE_BY_SIDE_MAX && (
        <label className="jp-MLHubExp-onlyDiff">
          <input
            type="checkbox"
            checked={onlyDifferences}
            onChange={event => setOnlyDifferences(event.target.checked)}
          />{' '}
          Only differences
        </label>
        )}
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => void model.reload()}
          disabled={model.loading}
        >
          Reload
        </button>
      </header>
      {model.error && (
        <div className="jp-MLHub-error" role="alert">
          {model.error}
        </div>
      )}
      {model.missing.length > 0 && runs.length > 0 && (
        <div className="jp-MLHubExp-note" role="note">
          {model.missing.length} of the {model.runIds.length} runs could not be read (deleted,
          or not shared with you): they are left out.
        </div>
      )}
      {runs.length === 0 && model.loading && (
        <div className="jp-MLHub-empty">Loading…</div>
      )}
      {runs.length > 0 && runs.length <= SIDE_BY_SIDE_MAX && (
        <DiffTable runs={runs} colors={runColors} onlyDifferences={onlyDifferences} />
      )}
      {runs.length > SIDE_BY_SIDE_MAX && (
        <p className="jp-MLHubExp-note" role="note">
          {runs.length} runs are too many to read side by side: the project's runs table,
          with “only differences”, shows their fields one row per run.
        </p>
      )}
      <PanelGrid model={model} version={version} themeVersion={themeVersion} />
    </div>
  );
}
