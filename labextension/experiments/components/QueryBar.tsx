import React, { useEffect, useState } from 'react';

import { IRun } from '../../tokens';
import { IRunsQuery } from '../types';

const FIXED_ORDERS = ['created_at', 'updated_at', 'name', 'status'];

export interface IQueryBarProps {
  query: IRunsQuery;
  runs: IRun[];
  onQuery: (change: Partial<IRunsQuery>) => void;
  /** The search box's text, applied on Enter (filter language or plain name/tag text). */
  onSearch: (text: string) => void;
}

/** What the search box shows for a query: its filter, else its plain text. */
export function searchText(query: IRunsQuery): string {
  return query.filter || query.q;
}

/**
 * The search box (applied on Enter: the filter language when the text has an operator,
 * else plain text searched in run names and tags on the server) and the server-side sort
 * field and direction.
 */
export function QueryBar(props: IQueryBarProps): JSX.Element {
  const { query, runs, onQuery } = props;
  const applied = searchText(query);
  const [filter, setFilter] = useState(applied);
  useEffect(() => setFilter(applied), [applied]);
  const orders = sortFields(runs, query.orderBy);
  return (
    <div className="jp-MLHubExp-query">
      <form
        className="jp-MLHubExp-filterForm"
        onSubmit={event => {
          event.preventDefault();
          props.onSearch(filter);
        }}
      >
        <input
          className="jp-MLHubExp-filter jp-mod-styled"
          type="search"
          aria-label="Filter runs"
          placeholder="Search names and tags, or filter"
          title="Press Enter to apply: plain text searches run names and tags; with an operator it is a filter"
          value={filter}
          onChange={event => setFilter(event.target.value)}
        />
        <div className="jp-MLHubExp-hint">
          e.g. <code>baseline</code> (names and tags) or{' '}
          <code>metrics.acc &gt; 0.9 and params.lr &lt; 0.01 and tags = baseline</code>
        </div>
      </form>
      <div className="jp-MLHubExp-sort">
        <label>
          Sort by{' '}
          <select
            className="jp-mod-styled"
            aria-label="Sort runs by"
            value={query.orderBy}
            onChange={event => onQuery({ orderBy: event.target.value })}
          >
            {orders.map(field => (
              <option key={field} value={field}>
                {field}
              </option>
            ))}
          </select>
        </label>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject jp-MLHubExp-direction"
          aria-label={query.desc ? 'Descending' : 'Ascending'}
          title={
            query.desc ? 'Descending: click for ascending' : 'Ascending: click for descending'
          }
          onClick={() => onQuery({ desc: !query.desc })}
        >
          {query.desc ? '↓' : '↑'}
        </button>
      </div>
    </div>
  );
}

/** Fixed fields, then `metrics.<key>` and `params.<key>` seen on the page. */
function sortFields(runs: IRun[], current: string): string[] {
  const keys = new Set<string>();
  runs.forEach(run => {
    Object.keys(run.latest_metrics ?? {}).forEach(k => keys.add(`metrics.${k}`));
    Object.keys(run.params ?? {}).forEach(k => keys.add(`params.${k}`));
  });
  const out = [...FIXED_ORDERS, ...[...keys].sort()];
  if (!out.includes(current)) {
    out.push(current);
  }
  return out;
}
