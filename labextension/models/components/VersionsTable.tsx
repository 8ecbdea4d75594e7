/** The versions of a model, newest first, with their stages; a row selects a version. */
import React from 'react';

import { IModelVersion } from '../types';
import { formatDate, formatValue, headlineMetrics } from './format';

export interface IVersionsTableProps {
  versions: IModelVersion[];
  selected: number | null;
  onSelect: (version: number) => void;
}

export function VersionsTable(props: IVersionsTableProps): JSX.Element {
  const { versions, selected, onSelect } = props;
  return (
    <table className="jp-MLHubModels-table jp-MLHubModels-versions" aria-label="versions">
      <thead>
        <tr>
          <th>version</th>
          <th>stages</th>
          <th>metrics</th>
          <th>estimator</th>
          <th>dataset</th>
          <th>status</th>
          <th>created</th>
        </tr>
      </thead>
      <tbody>
        {versions.map(v => (
          <tr
            key={v.version}
            data-version={v.version}
            className={v.version === selected ? 'jp-mod-selected' : ''}
            onClick={() => onSelect(v.version)}
            aria-selected={v.version === selected}
          >
            <td>
              <button className="jp-MLHubModels-link" onClick={() => onSelect(v.version)}>
                v{v.version}
              </button>
            </td>
            <td>
              {v.stages.map(s => (
                <span key={s} className="jp-MLHubModels-stage" data-stage={s}>
                  {s}
                </span>
              ))}
            </td>
            <td className="jp-MLHubModels-mono">
              {headlineMetrics(v.metrics, 2)
                .map(([k, value]) => `${k} ${formatValue(value)}`)
                .join(' · ')}
            </td>
            <td>{v.estimator}</td>
            <td>{v.dataset ? `${v.dataset.name} v${v.dataset.version}` : '–'}</td>
            <td>
              {v.status}
              {v.published && <span className="jp-MLHubModels-flag"> published</span>}
              {v.archived && <span className="jp-MLHubModels-flag"> archived</span>}
            </td>
            <td>{formatDate(v.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
