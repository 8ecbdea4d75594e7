/**
 * The virtualized grid of runs: a sticky header (click to sort), and only the rows in view
 * in the DOM, each at a fixed height; group headers fold their runs in and out. Rows not
 * yet fetched show as placeholders while the model loads their page.
 */
import React, { useEffect, useLayoutEffect, useRef, useState } from 'react';

import { requestOpenRun } from '../events';
import {
  columnKind,
  columnLabel,
  formatCellText,
  groupLabel,
  isNumericColumn,
  orderKey
} from './columns';
import { blocks, itemsInView, rowCount, TableItem } from './layout';
import { IRunsTableState, RunsTableModel } from './model';
import { formatMetric } from '../../components/format';

export const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 34;
const OVERSCAN = 10;
const NAME_WIDTH = 220;
const CHECK_WIDTH = 32;

/** A column's width in pixels. */
function columnWidth(column: string): number {
  if (column === 'created') {
    return 140;
  }
  if (column === 'tags') {
    return 160;
  }
  return 112;
}

export interface IRunsTableProps {
  model: RunsTableModel;
  state: IRunsTableState;
}

export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { model, state } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    const measure = () => setHeight(node.clientHeight || 600);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  const list = blocks(state.groups?.groups ?? null, state.total, state.expanded);
  const count = rowCount(list);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const items = count > 0 ? itemsInView(list, first, last) : [];

  // Ask for the pages of the runs in view (the model skips those it has or awaits).
  const wanted = new Map<string, { group: string | null | undefined; from: number; to: number }>();
  for (const [, item] of items) {
    if (item.kind === 'run') {
      const range = wanted.get(item.segment);
      wanted.set(item.segment, {
        group: item.group,
        from: Math.min(range?.from ?? item.index, item.index),
        to: Math.max(range?.to ?? item.index, item.index)
      });
    }
  }
  const wantedKey = [...wanted].map(([s, r]) => `${s}:${r.from}-${r.to}`).join('|');
  useEffect(() => {
    wanted.forEach(range => model.ensureRows(range.group, range.from, range.to));
  }, [wantedKey, state.rowsVersion, model]);

  const columns = state.columns;
  const width = CHECK_WIDTH + NAME_WIDTH + columns.reduce((w, c) => w + columnWidth(c), 0);
  const template = [CHECK_WIDTH, NAME_WIDTH, ...columns.map(columnWidth)]
    .map(w => `${w}px`)
    .join(' ');

  return (
    <div
      className="jp-MLHubRT-scroller"
      ref={scroller}
      onScroll={event => setScrollTop((event.target as HTMLDivElement).scrollTop)}
      role="grid"
      aria-label="Runs table"
      aria-rowcount={count + 1}
    >
      <div
        className="jp-MLHubRT-canvas"
        style={{ height: HEADER_HEIGHT + count * ROW_HEIGHT, width }}
      >
        <HeaderRow state={state} model={model} template={template} width={width} />
        {items.map(([row, item]) => (
          <Row
            key={rowKey(item)}
            row={row}
            top={HEADER_HEIGHT + row * ROW_HEIGHT}
            item={item}
            model={model}
            state={state}
            template={template}
            width={width}
          />
        ))}
      </div>
      {count === 0 && (
        <div className="jp-MLHub-empty jp-MLHubRT-empty">
          {state.loading ? 'Loading…' : 'No runs match.'}
        </div>
      )}
    </div>
  );
}

function rowKey(item: TableItem): string {
  return item.kind === 'group' ? `group:${String(item.group.key)}` : `${item.segment}#${item.index}`;
}

function HeaderRow(props: {
  state: IRunsTableState;
  model: RunsTableModel;
  template: string;
  width: number;
}): JSX.Element {
  const { state, model } = props;
  const header = (column: string, label: string, kind: string) => {
    const key = orderKey(column);
    const sorted = state.query.orderBy === key;
    return (
      <div
        key={column}
        role="columnheader"
        className={`jp-MLHubRT-th${isNumericColumn(column) ? ' jp-mod-numeric' : ''}${
          sorted ? ' jp-mod-sorted' : ''
        }`}
        aria-sort={sorted ? (state.query.desc ? 'descending' : 'ascending') : 'none'}
        data-column={column}
      >
        <button
          className="jp-MLHubRT-sort"
          title={`Sort by ${column}${sorted ? ' (click again to reverse)' : ''}`}
          onClick={() => void model.sortBy(key)}
        >
          <span className="jp-MLHubRT-kind">{kind}</span>
          <span className="jp-MLHubRT-label">
            {label}
            {sorted ? (state.query.desc ? ' ↓' : ' ↑') : ''}
          </span>
        </button>
      </div>
    );
  };
  return (
    <div
      className="jp-MLHubRT-header"
      role="row"
      aria-rowindex={1}
      style={{ gridTemplateColumns: props.template, width: props.width, height: HEADER_HEIGHT }}
    >
      <div className="jp-MLHubRT-th" role="columnheader" aria-label="Selected" />
      {header('name', 'name', 'run')}
      {state.columns.map(c => header(c, columnLabel(c), columnKind(c)))}
    </div>
  );
}

function Row(props: {
  /** The row's place in the table (0: the first under the header). */
  row: number;
  top: number;
  item: TableItem;
  model: RunsTableModel;
  state: IRunsTableState;
  template: string;
  width: number;
}): JSX.Element {
  const { item, model, state } = props;
  const style: React.CSSProperties = {
    top: props.top,
    height: ROW_HEIGHT,
    width: props.width,
    gridTemplateColumns: props.template
  };
  const rowIndex = props.row + 2;
  if (item.kind === 'group') {
    const { group } = item;
    const m = group.metric;
    return (
      <div className="jp-MLHubRT-row jp-MLHubRT-groupRow" role="row" aria-rowindex={rowIndex} style={{ ...style, gridTemplateColumns: 'auto' }}>
        <button
          className="jp-MLHubRT-groupToggle"
          aria-expanded={item.expanded}
          onClick={() => model.toggleGroup(group.key)}
        >
          <span className="jp-MLHubRT-caret">{item.expanded ? '▾' : '▸'}</span>
          <span className="jp-MLHubRT-groupValue">
            {columnLabel(state.groupBy)} = {groupLabel(group.value)}
          </span>
          <span className="jp-MLHubRT-groupCount">{group.count} runs</span>
          {state.groups?.metric && (
            <span className="jp-MLHubRT-groupStats">
              {state.groups.metric}: mean {formatStat(m.mean)} · min {formatStat(m.min)} · max{' '}
              {formatStat(m.max)}
              {m.count < group.count ? ` (${m.count} with it)` : ''}
            </span>
          )}
        </button>
      </div>
    );
  }
  const run = model.row(item.segment, item.index);
  if (!run) {
    return (
      <div className="jp-MLHubRT-row jp-mod-placeholder" role="row" aria-rowindex={rowIndex} style={style}>
        <div className="jp-MLHubRT-td" />
        <div className="jp-MLHubRT-td">…</div>
      </div>
    );
  }
  const selected = state.selected.has(run.id);
  return (
    <div
      className={`jp-MLHubRT-row${selected ? ' jp-mod-selected' : ''}${item.group !== undefined ? ' jp-mod-inGroup' : ''}`}
      role="row"
      aria-rowindex={rowIndex}
      style={style}
      data-run-id={run.id}
    >
      <div className="jp-MLHubRT-td">
        <input
          type="checkbox"
          aria-label={`Select ${run.name}`}
          checked={selected}
          onChange={event => model.toggle(run.id, event.target.checked)}
        />
      </div>
      <div className="jp-MLHubRT-td jp-MLHubRT-name" role="gridcell">
        <a
          href="#"
          title={`${run.name} (${run.id}): open the run's page`}
          onClick={event => {
            event.preventDefault();
            requestOpenRun(event.currentTarget, run.id);
          }}
        >
          {run.name}
        </a>
      </div>
      {state.columns.map(c => (
        <div
          key={c}
          role="gridcell"
          data-column={c}
          className={`jp-MLHubRT-td${isNumericColumn(c) ? ' jp-mod-numeric' : ''}${
            c === 'status' ? ` jp-MLHubRT-status jp-mod-${run.status}` : ''
          }`}
          title={formatCellText(run, c)}
        >
          {formatCellText(run, c)}
        </div>
      ))}
    </div>
  );
}

function formatStat(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : formatMetric(value);
}
