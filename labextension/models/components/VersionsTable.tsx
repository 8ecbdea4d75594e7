/**
 * The versions of a model with their stages; a row selects a version. A model may have
 * thousands: the list is a page at a time from the server, searched and ordered there
 * (newest or oldest first), with "Load more" for the next page, in a scrolling box.
 */
import React, { useEffect, useState } from 'react';

import { IVersionsQuery } from '../detailModel';
import { IModelVersion } from '../types';
import { formatDate, formatValue, headlineMetrics } from './format';

export interface IVersionsTableProps {
  versions: IModelVersion[];
  selected: number | null;
  onSelect: (version: number) => void;
  /** How many versions match the query in all (default: those given). */
  total?: number;
  query?: IVersionsQuery;
  /** Search or reorder (on the server). Without it there is no toolbar. */
  onQuery?: (change: Partial<IVersionsQuery>) => void;
  /** Fetch the next page. */
  onMore?: () => void;
  loading?: boolean;
}

export function VersionsTable(props: IVersionsTableProps): JSX.Element {
  const { versions, selected, onSelect } = props;
  const total = props.total ?? versions.length;
  return (
    <div className="jp-MLHubModels-versionList">
      {props.onQuery && props.query && (
        <VersionsToolbar query={props.query} onQuery={props.onQuery} shown={versions.length} total={total} />
      )}
      <div className="jp-MLHubModels-versionScroll">
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
        {versions.length === 0 && !props.loading && props.query?.q && (
          <p className="jp-MLHub-empty">No version matches “{props.query.q}”.</p>
        )}
      </div>
      {props.onMore && versions.length < total && (
        <button
          className="jp-Button jp-mod-styled jp-mod-reject jp-MLHubModels-more"
          disabled={props.loading}
          onClick={props.onMore}
        >
          Load more ({(total - versions.length).toLocaleString()} left)
        </button>
      )}
    </div>
  );
}

/** The search box (applied on Enter), the order and how many of how many are shown. */
function VersionsToolbar(props: {
  query: IVersionsQuery;
  onQuery: (change: Partial<IVersionsQuery>) => void;
  shown: number;
  total: number;
}): JSX.Element {
  const { query, onQuery } = props;
  const [text, setText] = useState(query.q);
  useEffect(() => setText(query.q), [query.q]);
  return (
    <div className="jp-MLHubModels-versionTools">
      <form
        onSubmit={event => {
          event.preventDefault();
          onQuery({ q: text });
        }}
      >
        <input
          className="jp-mod-styled"
          type="search"
          aria-label="Search versions"
          placeholder="Search versions: tag, text, v12"
          title="Press Enter: tags, description, estimator, developer, status, or a version number"
          value={text}
          onChange={event => setText(event.target.value)}
        />
      </form>
      <select
        className="jp-mod-styled"
        aria-label="Order versions"
        value={query.order}
        onChange={event => onQuery({ order: event.target.value === 'asc' ? 'asc' : 'desc' })}
      >
        <option value="desc">newest first</option>
        <option value="asc">oldest first</option>
      </select>
      <span className="jp-MLHubModels-versionCount" aria-live="polite">
        {props.shown.toLocaleString()} of {props.total.toLocaleString()} version{props.total === 1 ? '' : 's'}
      </span>
    </div>
  );
}
