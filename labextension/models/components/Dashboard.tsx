/** The catalogue's counts as four small tiles. */
import React from 'react';

import { ICounts } from '../types';

export function Dashboard(props: { counts: ICounts | null }): JSX.Element | null {
  const { counts } = props;
  if (!counts) {
    return null;
  }
  const running = (counts.jobs?.running ?? 0) + (counts.jobs?.queued ?? 0);
  const tiles: Array<[string, number]> = [
    ['models', counts.models],
    ['versions', counts.versions],
    ['in production', counts.by_stage?.production ?? 0],
    ['running jobs', running]
  ];
  return (
    <div className="jp-MLHubModels-dashboard" aria-label="model counts">
      {tiles.map(([label, value]) => (
        <div key={label} className="jp-MLHubModels-tile" data-count={label}>
          <span className="jp-MLHubModels-tileValue">{value}</span>
          <span className="jp-MLHubModels-tileLabel">{label}</span>
        </div>
      ))}
    </div>
  );
}
