import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { HomeButton } from '../../components/HomeButton';
import { IconButton } from '../../components/IconButton';
import { IRun } from '../../tokens';
import { IExperimentsState } from '../runsModel';
import { IRunsQuery } from '../types';
import { requestOpenRunsTable } from '../runsTable/events';
import { QueryBar } from './QueryBar';
import { RunItem } from './RunItem';

export interface IExperimentsPanelProps {
  state: IExperimentsState;
  onQuery: (change: Partial<IRunsQuery>) => void;
  /** The search box's text (filter language or plain name/tag text). */
  onSearch: (text: string) => void;
  /** Tick every run the search matches (asked of the server). */
  onSelectAll: () => void;
  onToggle: (run: IRun, selected: boolean) => void;
  onPage: (direction: -1 | 1) => void;
  onRefresh: () => void;
  onCompare: () => void;
  onClearSelection: () => void;
  /** Which view shows: the projects overview or one project's runs (default runs). */
  view?: ExperimentsView;
  onView?: (view: ExperimentsView) => void;
  /** The projects overview (each project with its latest runs); no Projects tab without it. */
  projects?: React.ReactNode;
}

export type ExperimentsView = 'projects' | 'runs';

/**
 * The Experiments sidebar: a Projects view (every project with its latest runs) and a Runs
 * view (one project's runs searched, sorted, paged, selected and compared).
 */
export function ExperimentsPanel(props: IExperimentsPanelProps): JSX.Element {
  const { state } = props;
  const view = props.projects ? (props.view ?? 'runs') : 'runs';
  return (
    <div className="jp-MLHubExp-sidebar">
      <header className="jp-MLHub-header">
        <h2 className="jp-MLHub-title">Experiments</h2>
        <span className="jp-MLHub-headerActions">
          <HomeButton />
          <IconButton
            icon={refreshIcon}
            label="Refresh"
            title="Reload projects and runs from the registry"
            onClick={props.onRefresh}
            disabled={state.loading}
            className="jp-MLHub-refresh"
          />
        </span>
      </header>
      {props.projects && (
        <div className="jp-MLHubExp-views" role="tablist" aria-label="Experiments view">
          {(['projects', 'runs'] as const).map(v => (
            <button
              key={v}
              role="tab"
              aria-selected={view === v}
              className={`jp-MLHubExp-viewTab${view === v ? ' jp-mod-active' : ''}`}
              onClick={() => props.onView?.(v)}
            >
              {v === 'projects' ? 'Projects' : 'Runs'}
            </button>
          ))}
        </div>
      )}
      {view === 'projects' ? props.projects : <RunsView {...props} />}
    </div>
  );
}

/** One project's runs: project choice, query, a page of runs, selection and Compare. */
function RunsView(props: IExperimentsPanelProps): JSX.Element {
  const { state } = props;
  const { query } = state;
  const count = state.selected.size;
  return (
    <>
      <div className="jp-MLHubExp-projectRow">
        <label className="jp-MLHubExp-project">
          Project{' '}
          <select
            className="jp-mod-styled"
            aria-label="Project"
            value={query.project}
            onChange={event => props.onQuery({ project: event.target.value })}
          >
            {state.projects.map(p => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject jp-MLHubExp-openTable"
          disabled={!query.project}
          title="Open this project's runs table in the main area (columns, groups, parallel coordinates, importance)"
          onClick={event => requestOpenRunsTable(event.currentTarget, query.project)}
        >
          Table
        </button>
      </div>
      <QueryBar query={query} runs={state.runs} onQuery={props.onQuery} onSearch={props.onSearch} />
      {state.error && (
        <div className="jp-MLHub-error" role="alert">
          {state.error}
        </div>
      )}
      {state.error && state.runs.length > 0 && (
        <p className="jp-MLHubExp-staleNote" role="note">
          {query.filter.trim() || query.q.trim()
            ? 'The runs below are not filtered by this query: they are the last list that loaded.'
            : 'The runs below are the last list that loaded.'}
        </p>
      )}
      <RunList state={state} onToggle={props.onToggle} />
      <Pager state={state} onPage={props.onPage} />
      {state.total > 0 && (
        <div className="jp-MLHubExp-selectAll">
          <button
            className="jp-Button jp-mod-styled jp-mod-reject"
            disabled={state.loading}
            title="Tick every run this search matches, on every page"
            onClick={props.onSelectAll}
          >
            Select all {state.total} matching
          </button>
          {state.selectionTruncated && (
            <span className="jp-MLHubExp-truncated" role="note">
              only the first {state.selected.size} were selected
            </span>
          )}
        </div>
      )}
      <footer className="jp-MLHubExp-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={count === 0}
          onClick={props.onCompare}
          title="Open the selected runs side by side"
        >
          Compare{count > 0 ? ` (${count})` : ''}
        </button>
        {count > 0 && (
          <button
            className="jp-Button jp-mod-styled jp-mod-reject"
            onClick={props.onClearSelection}
          >
            Clear
          </button>
        )}
      </footer>
    </>
  );
}

function RunList(props: {
  state: IExperimentsState;
  onToggle: (run: IRun, selected: boolean) => void;
}): JSX.Element {
  const { state } = props;
  if (state.projects.length === 0 && !state.loading && !state.error) {
    return (
      <div className="jp-MLHub-empty">
        No projects yet. Start a run from a notebook with{' '}
        <code>mh.init("my-project")</code>.
      </div>
    );
  }
  if (state.runs.length === 0) {
    return (
      <div className="jp-MLHub-empty">
        {state.loading ? 'Loading…' : 'No runs match.'}
      </div>
    );
  }
  return (
    <ul className="jp-MLHubExp-runs" aria-label="Runs" data-stale={state.error ? 'true' : 'false'}>
      {state.runs.map(run => (
        <RunItem
          key={run.id}
          run={run}
          selected={state.selected.has(run.id)}
          onToggle={props.onToggle}
        />
      ))}
    </ul>
  );
}

function Pager(props: {
  state: IExperimentsState;
  onPage: (direction: -1 | 1) => void;
}): JSX.Element | null {
  const { query, total, runs } = props.state;
  if (total === 0) {
    return null;
  }
  const first = query.offset + 1;
  const last = query.offset + runs.length;
  return (
    <div className="jp-MLHubExp-pager">
      <button
        className="jp-Button jp-mod-styled jp-mod-reject"
        aria-label="Previous page"
        disabled={query.offset === 0}
        onClick={() => props.onPage(-1)}
      >
        ‹
      </button>
      <span className="jp-MLHubExp-range">
        {first}–{last} of {total}
      </span>
      <button
        className="jp-Button jp-mod-styled jp-mod-reject"
        aria-label="Next page"
        disabled={last >= total}
        onClick={() => props.onPage(1)}
      >
        ›
      </button>
    </div>
  );
}
