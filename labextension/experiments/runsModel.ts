/**
 * State of the Experiments sidebar: the chosen project, the server-side query (the search
 * box as the filter language or plain name/tag text, order, page) and its answer, and the
 * runs ticked for comparison (kept across pages; "select all matching" ticks every run
 * the search matches, asked of the server by id).
 * The {@link PollingModel}'s poll reloads the page while it is visible so statuses and latest metrics
 * stay current; failures back off and show the server's message verbatim.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import { IProject, IRun, IRunsPage } from '../tokens';
import { listProjects, listRuns } from './api';
import { IRunIds, ITableQuery, listRunIds } from './runsTable/api';
import { splitSearch } from './runsTable/columns';
import { IRunsQuery } from './types';

const POLL_INTERVAL_MS = 10 * 1000;
const POLL_MAX_BACKOFF_MS = 2 * 60 * 1000;
export const PAGE_SIZE = 25;

/**
 * A ticked run: the whole run when it was ticked on a page, its id and a short name when
 * "select all matching" ticked it from the server's list of ids.
 */
export type ISelectedRun = Pick<IRun, 'id' | 'name'> & Partial<IRun>;

export interface IExperimentsState extends IPollingState {
  projects: IProject[];
  query: IRunsQuery;
  runs: IRun[];
  total: number;
  /** Selected runs by id, in the order they were ticked. */
  selected: Map<string, ISelectedRun>;
  /** More runs matched than "select all matching" may tick at once (the first were). */
  selectionTruncated: boolean;
}

export interface IExperimentsApi {
  listProjects: () => Promise<{ projects: IProject[] }>;
  listRuns: (query: IRunsQuery) => Promise<IRunsPage>;
  /** Every matching run's id (`GET /runs?ids_only=true`). */
  listRunIds: (query: ITableQuery) => Promise<IRunIds>;
}

export class ExperimentsModel extends PollingModel<IExperimentsState> {
  constructor(options: ExperimentsModel.IOptions = {}) {
    super(
      {
        projects: [],
        query: {
          project: '',
          filter: '',
          q: '',
          orderBy: 'created_at',
          desc: true,
          limit: PAGE_SIZE,
          offset: 0
        },
        runs: [],
        total: 0,
        selected: new Map(),
        selectionTruncated: false,
        error: null,
        loading: false
      },
      {
        name: 'experiments',
        interval: options.pollInterval ?? POLL_INTERVAL_MS,
        maxBackoff: POLL_MAX_BACKOFF_MS,
        autoPoll: options.autoPoll
      }
    );
    this._api = options.api ?? { listProjects, listRuns, listRunIds };
  }

  get selectionChanged(): ISignal<this, ISelectedRun[]> {
    return this._selectionChanged;
  }

  /** The ticked runs, in the order they were ticked. */
  get selectedRuns(): ISelectedRun[] {
    return [...this.state.selected.values()];
  }

  /** The sidebar shows (true) or hides (false); hidden, the model stops polling. */
  setActive(active: boolean): void {
    this._active = active;
  }

  /** Change the query; any change but the offset goes back to the first page. */
  setQuery(change: Partial<IRunsQuery>): Promise<void> {
    const query = { ...this.state.query, ...change };
    if (!('offset' in change)) {
      query.offset = 0;
    }
    if (change.project !== undefined && change.project !== this.state.query.project) {
      this.setState({ selected: new Map(), selectionTruncated: false, runs: [], total: 0 });
      this._selectionChanged.emit([]);
    }
    this.setState({ query });
    return this.refresh();
  }

  /**
   * The search box's text: with an operator (`<`, `>`, `=`, `~`) the filter language,
   * else plain text the server looks for in run names and tags, as the runs table does.
   */
  setSearch(text: string): Promise<void> {
    return this.setQuery(splitSearch(text));
  }

  /** Tick every run the current search matches (at most the server's id limit). */
  async selectAllMatching(): Promise<void> {
    const { project, filter, q, orderBy, desc } = this.state.query;
    if (!project) {
      return;
    }
    let answer: IRunIds;
    try {
      answer = await this._api.listRunIds({ project, filter, q, orderBy, desc });
    } catch (error) {
      this.setState({ error: errorMessage(error) });
      return;
    }
    if (project !== this.state.query.project) {
      return; // another project was chosen meanwhile
    }
    const next = new Map(this.state.selected);
    const onPage = new Map(this.state.runs.map(r => [r.id, r]));
    answer.ids.forEach(id => {
      if (!next.has(id)) {
        next.set(id, onPage.get(id) ?? { id, name: id.slice(0, 8) });
      }
    });
    this.setState({ selected: next, selectionTruncated: answer.truncated, error: null });
    this._selectionChanged.emit(this.selectedRuns);
  }

  nextPage(): Promise<void> {
    const { offset, limit } = this.state.query;
    if (offset + limit >= this.state.total) {
      return Promise.resolve();
    }
    return this.setQuery({ offset: offset + limit });
  }

  previousPage(): Promise<void> {
    const { offset, limit } = this.state.query;
    return this.setQuery({ offset: Math.max(0, offset - limit) });
  }

  toggle(run: IRun, selected: boolean): void {
    const next = new Map(this.state.selected);
    if (selected) {
      next.set(run.id, run);
    } else {
      next.delete(run.id);
    }
    this.setState({ selected: next });
    this._selectionChanged.emit(this.selectedRuns);
  }

  clearSelection(): void {
    this.setState({ selected: new Map(), selectionTruncated: false });
    this._selectionChanged.emit([]);
  }

  /** Poll only while the sidebar is showing and the page is visible. */
  protected standby(): boolean | Poll.Standby {
    return !this._active || 'when-hidden';
  }

  /** Projects, then the current page of the chosen (or first) project's runs. */
  protected async loadState(): Promise<Partial<IExperimentsState>> {
    const { projects } = await this._api.listProjects();
    let query = this.state.query;
    if (!projects.some(p => p.name === query.project) && projects.length) {
      query = { ...query, project: projects[0].name, offset: 0 };
    }
    const page = query.project ? await this._api.listRuns(query) : { runs: [], total: 0 };
    const selected = new Map(this.state.selected);
    page.runs.forEach(run => {
      if (selected.has(run.id)) {
        selected.set(run.id, run);
      }
    });
    return { projects, query, runs: page.runs, total: page.total, selected };
  }

  private readonly _api: IExperimentsApi;
  private _active = false;
  private readonly _selectionChanged = new Signal<this, ISelectedRun[]>(this);
}

export namespace ExperimentsModel {
  export interface IOptions {
    /** Replace the REST calls (tests). */
    api?: IExperimentsApi;
    autoPoll?: boolean;
    pollInterval?: number;
  }
}
