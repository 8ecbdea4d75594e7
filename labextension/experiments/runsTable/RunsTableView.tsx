/**
 * A project's runs table view: the search box, grouping, metric and column choice, the
 * selection and its actions, and three views of the matching (or selected) runs: the
 * table, parallel coordinates and parameter importance.
 */
import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useState } from 'react';

import { IconButton } from '../../components/IconButton';
import { useModelState, useResource } from '../../components/useModel';
import { IRun } from '../../tokens';
import { getInsights, IInsights, listRunsPage } from './api';
import { columnKind, columnLabel, splitSearch } from './columns';
import { ImportancePanel } from './importance';
import { IRunsTableState, RunsTableModel, TableView } from './model';
import { ParallelCoordinates } from './parallel';
import { RunsTable } from './RunsTable';

/** Runs the charts draw at most (one page of the server's largest size). */
export const CHART_RUNS = 1000;
/** Up to this many selected runs Compare opens the side-by-side table. */
export const COMPARE_TABLE_MAX = 8;
/** Compare charts at most this many runs (what one `POST /metrics/query` takes). */
export const COMPARE_MAX = 1000;

export interface IRunsTableViewProps {
  model: RunsTableModel;
  /** Open the compare view (≤ 8 runs: side by side; more: its charts) for these runs. */
  onCompare: (ids: string[]) => void;
}

const VIEWS: Array<[TableView, string]> = [
  ['table', 'Table'],
  ['parallel', 'Parallel coordinates'],
  ['importance', 'Importance']
];

export function RunsTableView(props: IRunsTableViewProps): JSX.Element {
  const { model } = props;
  const state = useModelState<IRunsTableState>(model);
  const selected = state.selected.size;
  const metrics = state.available.filter(c => c.startsWith('metrics.')).map(c => c.slice(8));
  const groupable = ['tags', 'status', 'owner', ...state.available.filter(c => c.startsWith('params.'))];
  return (
    <div className="jp-MLHubRT">
      <header className="jp-MLHubRT-toolbar">
        <h2 className="jp-MLHubRT-title" title={`Project ${model.project}`}>
          {model.project}
        </h2>
        <SearchBox state={state} model={model} />
        <label className="jp-MLHubRT-field">
          Group by{' '}
          <select
            className="jp-mod-styled"
            aria-label="Group by"
            value={state.groupBy}
            onChange={event => void model.setGroupBy(event.target.value)}
          >
            <option value="">(none)</option>
            {groupable.map(c => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-MLHubRT-field">
          Metric{' '}
          <select
            className="jp-mod-styled"
            aria-label="Metric"
            value={state.metric}
            onChange={event => void model.setMetric(event.target.value)}
          >
            {!metrics.includes(state.metric) && <option value={state.metric}>{state.metric || '(none)'}</option>}
            {metrics.map(m => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <ColumnPicker state={state} model={model} />
        <IconButton
          icon={refreshIcon}
          label="Refresh"
          title="Reload the runs from the registry"
          onClick={() => void model.refresh()}
          disabled={state.loading}
          className="jp-MLHub-refresh"
        />
      </header>
      <div className="jp-MLHubRT-selectionBar">
        <span className="jp-MLHubRT-total" aria-label="Matching runs">
          {state.total} run{state.total === 1 ? '' : 's'}
        </span>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => void model.selectAllMatching()}
          disabled={state.total === 0}
          title="Select every run matching the search (up to 10,000)"
        >
          Select all matching
        </button>
        <span className="jp-MLHubRT-selected" aria-label="Selected runs">
          {selected} selected{state.selectionTruncated ? ' (the first 10,000)' : ''}
        </span>
        {selected > 0 && (
          <button className="jp-Button jp-mod-styled jp-mod-reject" onClick={() => model.clearSelection()}>
            Clear
          </button>
        )}
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={selected === 0}
          onClick={() => props.onCompare([...state.selected].slice(0, COMPARE_MAX))}
          title={
            selected > COMPARE_MAX
              ? `Open the charts of the first ${COMPARE_MAX} selected runs`
              : selected > COMPARE_TABLE_MAX
                ? 'Open the charts of the selected runs'
                : 'Open the selected runs side by side'
          }
        >
          Compare{selected ? ` (${selected})` : ''}
        </button>
        <span className="jp-MLHubRT-views" role="tablist" aria-label="Runs view">
          {VIEWS.map(([view, label]) => (
            <button
              key={view}
              role="tab"
              aria-selected={state.view === view}
              className={`jp-MLHubExp-viewTab${state.view === view ? ' jp-mod-active' : ''}`}
              onClick={() => model.setView(view)}
            >
              {label}
            </button>
          ))}
        </span>
      </div>
      {state.error && (
        <div className="jp-MLHub-error" role="alert">
          {state.error}
        </div>
      )}
      <div className="jp-MLHubRT-body">
        {state.view === 'table' ? <RunsTable model={model} state={state} /> : <Charts state={state} onSelect={ids => model.setSelection(ids)} />}
      </div>
    </div>
  );
}

/** The box applies on Enter: an operator makes it a filter, else name/tag text. */
function SearchBox(props: { state: IRunsTableState; model: RunsTableModel }): JSX.Element {
  const [text, setText] = useState(props.state.search);
  useEffect(() => setText(props.state.search), [props.state.search]);
  return (
    <form
      className="jp-MLHubRT-search"
      onSubmit={event => {
        event.preventDefault();
        void props.model.setSearch(text, splitSearch(text));
      }}
    >
      <input
        className="jp-mod-styled"
        type="search"
        aria-label="Search runs"
        placeholder="name or tag, or params.lr < 0.01 and tags = baseline"
        title="Press Enter. Plain text: run names and tags; with an operator (= < > ~): the filter language"
        value={text}
        onChange={event => setText(event.target.value)}
      />
    </form>
  );
}

function ColumnPicker(props: { state: IRunsTableState; model: RunsTableModel }): JSX.Element {
  const { state, model } = props;
  const [open, setOpen] = useState(false);
  const [find, setFind] = useState('');
  const shown = new Set(state.columns);
  const options = state.available.filter(c => c.toLowerCase().includes(find.toLowerCase()));
  return (
    <span className="jp-MLHubRT-pickerWrap">
      <button
        className="jp-Button jp-mod-styled jp-mod-reject"
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen(!open)}
      >
        Columns ({state.columns.length})
      </button>
      {open && (
        <div className="jp-MLHubRT-picker" role="dialog" aria-label="Columns">
          <input
            className="jp-mod-styled"
            type="search"
            aria-label="Find a column"
            placeholder="Find a column"
            value={find}
            onChange={event => setFind(event.target.value)}
          />
          <ul>
            {options.map(c => (
              <li key={c}>
                <label>
                  <input
                    type="checkbox"
                    checked={shown.has(c)}
                    onChange={event =>
                      model.setColumns(
                        event.target.checked
                          ? state.available.filter(a => a === c || shown.has(a))
                          : state.columns.filter(x => x !== c)
                      )
                    }
                  />{' '}
                  <span className="jp-MLHubRT-kind">{columnKind(c)}</span> {columnLabel(c)}
                </label>
              </li>
            ))}
          </ul>
          <button className="jp-Button jp-mod-styled jp-mod-accept" onClick={() => setOpen(false)}>
            Done
          </button>
        </div>
      )}
    </span>
  );
}

/** Parallel coordinates or importance over the selected runs, else the matching ones. */
function Charts(props: { state: IRunsTableState; onSelect: (ids: string[]) => void }): JSX.Element {
  const { state } = props;
  const { query, metric, selected } = state;
  const selectionKey = [...selected].join(',');
  const runs = useResource<{ runs: IRun[]; truncated: boolean }>(
    async () => {
      const page = await listRunsPage(query, 0, CHART_RUNS);
      const picked = selected.size ? page.runs.filter(r => selected.has(r.id)) : page.runs;
      return { runs: picked, truncated: page.total > CHART_RUNS };
    },
    [query.project, query.filter, query.q, query.orderBy, query.desc, selectionKey]
  );
  if (runs.error) {
    return (
      <div className="jp-MLHub-error" role="alert">
        {runs.error}
      </div>
    );
  }
  const data = runs.value;
  if (!data) {
    return <div className="jp-MLHub-empty">Loading…</div>;
  }
  return state.view === 'parallel' ? (
    <ParallelCoordinates
      runs={data.runs}
      metric={metric}
      truncated={data.truncated}
      onSelect={props.onSelect}
    />
  ) : (
    <ConnectedImportance state={state} runs={data.runs} />
  );
}

/** The importance panel with the server's insights for the metric and the runs shown. */
function ConnectedImportance(props: { state: IRunsTableState; runs: IRun[] }): JSX.Element {
  const { query, metric, selected } = props.state;
  const insights = useResource<IInsights>(
    () => getInsights(query, metric, selected.size ? [...selected] : undefined),
    [query.project, query.filter, query.q, metric, [...selected].join(',')],
    { keep: false }
  );
  return (
    <ImportancePanel
      insights={insights.value}
      loading={insights.loading}
      error={insights.error}
      runs={props.runs}
      metric={metric}
    />
  );
}
