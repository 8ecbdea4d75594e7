/**
 * State of a project's runs table: the query (search, sort), the chosen columns (kept per
 * project in the browser), grouping, the selection, and the rows the server sent so far.
 *
 * Rows are never all loaded: the view asks {@link RunsTableModel.ensureRows} for the rows
 * it shows and the model fetches the missing pages (of {@link PAGE_SIZE}) of that segment
 * (the whole table, or one group's runs). The poll reloads the first page (or the groups)
 * and marks the cached pages stale, so visible rows are fetched again while the old ones
 * stay on screen until they are replaced.
 */
import { Poll } from '@lumino/polling';

import { IPollingState, PollingModel, errorMessage } from '../../pollingModel';
import { IRun, IRunsPage } from '../../tokens';
import {
  IRunGroups,
  IRunIds,
  ITableQuery,
  listGroups,
  listRunIds,
  listRunsPage
} from './api';
import {
  availableColumns,
  columnsStorageKey,
  defaultColumns,
  groupQuery,
  segmentId
} from './columns';

export const PAGE_SIZE = 100;
const POLL_INTERVAL_MS = 30 * 1000;

export type TableView = 'table' | 'parallel' | 'importance';

export interface IRunsTableState extends IPollingState {
  query: ITableQuery;
  /** What the search box holds (split into `filter` and `q`). */
  search: string;
  /** The columns shown after the name, in order. */
  columns: string[];
  /** Every column offered in the picker. */
  available: string[];
  /** '' (no grouping), `params.<k>`, `tags`, `status` or `owner`. */
  groupBy: string;
  /** The metric of the groups' mean/min/max, the parallel coordinates and importance. */
  metric: string;
  groups: IRunGroups | null;
  /** Segment ids of the expanded groups. */
  expanded: ReadonlySet<string>;
  /** Runs matching the query. */
  total: number;
  selected: ReadonlySet<string>;
  /** "Select all matching" met more than 10,000 runs. */
  selectionTruncated: boolean;
  view: TableView;
  /** Changes whenever rows arrive: views read rows through {@link RunsTableModel.row}. */
  rowsVersion: number;
}

export interface IRunsTableApi {
  listRunsPage: typeof listRunsPage;
  listGroups: typeof listGroups;
  listRunIds: (query: ITableQuery) => Promise<IRunIds>;
}

interface ISegment {
  total: number;
  pages: Map<number, { runs: IRun[]; generation: number }>;
  inFlight: Set<number>;
}

export class RunsTableModel extends PollingModel<IRunsTableState> {
  constructor(project: string, options: RunsTableModel.IOptions = {}) {
    super(
      {
        query: { project, filter: '', q: '', orderBy: 'created_at', desc: true },
        search: '',
        columns: [],
        available: [],
        groupBy: '',
        metric: '',
        groups: null,
        expanded: new Set(),
        total: 0,
        selected: new Set(),
        selectionTruncated: false,
        view: 'table',
        rowsVersion: 0,
        error: null,
        loading: false
      },
      {
        name: 'runs-table',
        interval: options.pollInterval ?? POLL_INTERVAL_MS,
        autoPoll: options.autoPoll
      }
    );
    this._api = options.api ?? { listRunsPage, listGroups, listRunIds };
    this._storage = options.storage ?? safeStorage();
    this._saved = this._readColumns();
  }

  get project(): string {
    return this.state.query.project;
  }

  /** The view shows (true) or is hidden (false); hidden, the model stops polling. */
  setActive(active: boolean): void {
    this._active = active;
  }

  /** The run at `index` of a segment, or undefined while its page is on its way. */
  row(segment: string, index: number): IRun | undefined {
    const page = this._segments.get(segment)?.pages.get(Math.floor(index / PAGE_SIZE));
    return page?.runs[index % PAGE_SIZE];
  }

  /** How many runs a segment holds, as far as known. */
  segmentTotal(segment: string): number {
    return this._segments.get(segment)?.total ?? 0;
  }

  /**
   * Fetch the pages holding rows `from`..`to` (inclusive) of a segment that are missing or
   * stale. `group` is the group's key (null: the runs lacking the value) for a group's
   * segment, undefined for the whole table.
   */
  ensureRows(group: string | null | undefined, from: number, to: number): void {
    const id = segmentId(group);
    const segment = this._segment(id);
    const last = Math.max(from, to);
    for (let page = Math.floor(Math.max(0, from) / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) {
      const cached = segment.pages.get(page);
      if (segment.inFlight.has(page) || (cached && cached.generation === this._generation)) {
        continue;
      }
      if (page > 0 && page * PAGE_SIZE >= segment.total && segment.pages.size > 0) {
        continue;
      }
      void this._fetchPage(id, group, page);
    }
  }

  /** Search: the filter language when the text has an operator, else name/tag text. */
  setSearch(search: string, split: { filter: string; q: string }): Promise<void> {
    this.setState({ search, query: { ...this.state.query, ...split }, selected: new Set() });
    return this._reset();
  }

  /** Sort by a column's server key; the same key again flips the direction. */
  sortBy(orderBy: string): Promise<void> {
    const { query } = this.state;
    const desc = query.orderBy === orderBy ? !query.desc : orderBy !== 'name';
    this.setState({ query: { ...query, orderBy, desc } });
    return this._reset();
  }

  setColumns(columns: string[]): void {
    this._saved = columns;
    try {
      this._storage?.setItem(columnsStorageKey(this.project), JSON.stringify(columns));
    } catch {
      // A full or disabled storage only loses the choice after a reload.
    }
    this.setState({ columns });
  }

  setGroupBy(groupBy: string): Promise<void> {
    this.setState({ groupBy, groups: null, expanded: new Set() });
    return this._reset();
  }

  setMetric(metric: string): Promise<void> {
    this.setState({ metric });
    return this.state.groupBy ? this.refresh() : Promise.resolve();
  }

  setView(view: TableView): void {
    this.setState({ view });
  }

  /** Expand or collapse a group (its runs load as they scroll into view). */
  toggleGroup(key: string | null): void {
    const id = segmentId(key);
    const expanded = new Set(this.state.expanded);
    if (expanded.has(id)) {
      expanded.delete(id);
    } else {
      expanded.add(id);
      const group = this.state.groups?.groups.find(g => g.key === key);
      this._segment(id).total = group?.count ?? 0;
    }
    this.setState({ expanded });
  }

  toggle(id: string, selected: boolean): void {
    const next = new Set(this.state.selected);
    if (selected) {
      next.add(id);
    } else {
      next.delete(id);
    }
    this.setState({ selected: next, selectionTruncated: false });
  }

  /** Select every run matching the query (the server's ids, up to 10,000). */
  async selectAllMatching(): Promise<void> {
    try {
      const answer = await this._api.listRunIds(this.state.query);
      this.setState({ selected: new Set(answer.ids), selectionTruncated: answer.truncated });
    } catch (error) {
      this.setState({ error: errorMessage(error) });
    }
  }

  /** Select exactly these runs (e.g. those brushed in the parallel coordinates). */
  setSelection(ids: string[]): void {
    this.setState({ selected: new Set(ids), selectionTruncated: false });
  }

  clearSelection(): void {
    this.setState({ selected: new Set(), selectionTruncated: false });
  }

  protected standby(): boolean | Poll.Standby {
    return !this._active || 'when-hidden';
  }

  protected async loadState(): Promise<Partial<IRunsTableState>> {
    const { query, groupBy, metric } = this.state;
    const generation = ++this._generation;
    if (groupBy) {
      const groups = await this._api.listGroups(query, groupBy, metric);
      for (const group of groups.groups) {
        const segment = this._segment(segmentId(group.key));
        segment.total = group.count;
      }
      return { groups, total: groups.total, rowsVersion: this.state.rowsVersion + 1 };
    }
    const page = await this._api.listRunsPage(query, 0, PAGE_SIZE);
    this._store('', 0, page, generation);
    // A new rows version: the view asks again for the rows in view, now stale.
    return {
      groups: null,
      total: page.total,
      rowsVersion: this.state.rowsVersion + 1,
      ...this._columnsAfter(page.runs)
    };
  }

  private _segment(id: string): ISegment {
    let segment = this._segments.get(id);
    if (!segment) {
      segment = { total: 0, pages: new Map(), inFlight: new Set() };
      this._segments.set(id, segment);
    }
    return segment;
  }

  private async _fetchPage(id: string, group: string | null | undefined, page: number): Promise<void> {
    const segment = this._segment(id);
    const epoch = this._epoch;
    const generation = this._generation;
    segment.inFlight.add(page);
    try {
      const answer = await this._api.listRunsPage(
        this.state.query,
        page * PAGE_SIZE,
        PAGE_SIZE,
        group === undefined ? undefined : { by: this.state.groupBy, query: groupQuery(group) }
      );
      if (epoch !== this._epoch || this.isDisposed) {
        return;
      }
      this._store(id, page, answer, generation);
      this.setState({ rowsVersion: this.state.rowsVersion + 1, ...this._columnsAfter(answer.runs) });
    } catch (error) {
      if (epoch === this._epoch) {
        this.setState({ error: errorMessage(error) });
      }
    } finally {
      segment.inFlight.delete(page);
    }
  }

  private _store(id: string, page: number, answer: IRunsPage, generation: number): void {
    const segment = this._segment(id);
    segment.total = answer.total;
    segment.pages.set(page, { runs: answer.runs, generation });
  }

  /** The picker's columns after `runs` arrived, and the shown ones if none was chosen. */
  private _columnsAfter(runs: IRun[]): Partial<IRunsTableState> {
    const before = this.state.available;
    const available = availableColumns([...before.map(fakeRun), ...runs]);
    if (available.length === before.length && this.state.columns.length) {
      return {};
    }
    const columns =
      this._saved ?? (this.state.columns.length ? this.state.columns : defaultColumns(available));
    const metric =
      this.state.metric ||
      (available.find(c => c.startsWith('metrics.') && !c.startsWith('metrics.system/')) ?? '')
        .replace(/^metrics\./, '');
    return { available, columns, metric };
  }

  /** A new query: forget every cached row (answers on their way are dropped). */
  private _reset(): Promise<void> {
    this._epoch++;
    this._segments = new Map();
    this.setState({ rowsVersion: this.state.rowsVersion + 1 });
    return this.refresh();
  }

  private _readColumns(): string[] | null {
    try {
      const text = this._storage?.getItem(columnsStorageKey(this.project));
      const value: unknown = text ? JSON.parse(text) : null;
      return Array.isArray(value) && value.every(c => typeof c === 'string') ? value : null;
    } catch {
      return null;
    }
  }

  private readonly _api: IRunsTableApi;
  private readonly _storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  private _saved: string[] | null;
  private _active = false;
  private _segments = new Map<string, ISegment>();
  private _generation = 0;
  private _epoch = 0;
}

/** A run carrying only the key `column` names: lets `availableColumns` keep what it had. */
function fakeRun(column: string): IRun {
  const dot = column.indexOf('.');
  const key = column.slice(dot + 1);
  const kind = column.slice(0, Math.max(dot, 0));
  return {
    params: kind === 'params' ? { [key]: 0 } : {},
    summary: kind === 'summary' ? { [key]: 0 } : {},
    latest_metrics: kind === 'metrics' ? { [key]: 0 } : {}
  } as unknown as IRun;
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export namespace RunsTableModel {
  export interface IOptions {
    api?: IRunsTableApi;
    storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
    autoPoll?: boolean;
    pollInterval?: number;
  }
}
