/**
 * State of the Experiments sidebar: the chosen project, the server-side query (filter,
 * order, page) and its answer, and the runs ticked for comparison (kept across pages).
 * A {@link Poll} reloads the page while it is visible so statuses and latest metrics
 * stay current; failures back off and show the server's message verbatim.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IProject, IRun, IRunsPage } from '../tokens';
import { listProjects, listRuns } from './api';
import { IRunsQuery } from './types';

const POLL_INTERVAL_MS = 10 * 1000;
const POLL_MAX_BACKOFF_MS = 2 * 60 * 1000;
export const PAGE_SIZE = 25;

export interface IExperimentsState {
  projects: IProject[];
  query: IRunsQuery;
  runs: IRun[];
  total: number;
  /** Selected runs by id, in the order they were ticked. */
  selected: Map<string, IRun>;
  /** The server's message for the last failed load (a bad filter, say), verbatim. */
  error: string | null;
  loading: boolean;
}

export interface IExperimentsApi {
  listProjects: () => Promise<{ projects: IProject[] }>;
  listRuns: (query: IRunsQuery) => Promise<IRunsPage>;
}

export class ExperimentsModel {
  constructor(options: ExperimentsModel.IOptions = {}) {
    this._api = options.api ?? { listProjects, listRuns };
    this._poll = new Poll({
      auto: options.autoPoll ?? true,
      factory: () => this._load(),
      frequency: {
        interval: options.pollInterval ?? POLL_INTERVAL_MS,
        backoff: true,
        max: POLL_MAX_BACKOFF_MS
      },
      name: 'mlhub-ext:experiments',
      // Poll only while the sidebar is showing and the page is visible.
      standby: () => !this._active || 'when-hidden'
    });
  }

  get state(): IExperimentsState {
    return this._state;
  }

  get stateChanged(): ISignal<this, IExperimentsState> {
    return this._stateChanged;
  }

  get selectionChanged(): ISignal<this, IRun[]> {
    return this._selectionChanged;
  }

  /** The ticked runs, in the order they were ticked. */
  get selectedRuns(): IRun[] {
    return [...this._state.selected.values()];
  }

  /** The sidebar shows (true) or hides (false); hidden, the model stops polling. */
  setActive(active: boolean): void {
    this._active = active;
  }

  /** Reload projects and the current page now; errors land in `state.error`. */
  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // Shown through state.error.
    }
  }

  /** Change the query; any change but the offset goes back to the first page. */
  setQuery(change: Partial<IRunsQuery>): Promise<void> {
    const query = { ...this._state.query, ...change };
    if (!('offset' in change)) {
      query.offset = 0;
    }
    if (change.project !== undefined && change.project !== this._state.query.project) {
      this._update({ selected: new Map(), runs: [], total: 0 });
      this._selectionChanged.emit([]);
    }
    this._update({ query });
    return this.refresh();
  }

  nextPage(): Promise<void> {
    const { offset, limit } = this._state.query;
    if (offset + limit >= this._state.total) {
      return Promise.resolve();
    }
    return this.setQuery({ offset: offset + limit });
  }

  previousPage(): Promise<void> {
    const { offset, limit } = this._state.query;
    return this.setQuery({ offset: Math.max(0, offset - limit) });
  }

  toggle(run: IRun, selected: boolean): void {
    const next = new Map(this._state.selected);
    if (selected) {
      next.set(run.id, run);
    } else {
      next.delete(run.id);
    }
    this._update({ selected: next });
    this._selectionChanged.emit(this.selectedRuns);
  }

  clearSelection(): void {
    this._update({ selected: new Map() });
    this._selectionChanged.emit([]);
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** One load at a time; a query change during a load reloads once it is done. */
  private _load(): Promise<void> {
    if (this._pending) {
      this._again = true;
      return this._pending;
    }
    this._pending = this._doLoad().finally(() => {
      this._pending = null;
      if (this._again) {
        this._again = false;
        void this.refresh();
      }
    });
    return this._pending;
  }

  private async _doLoad(): Promise<void> {
    this._update({ loading: true });
    try {
      const { projects } = await this._api.listProjects();
      let query = this._state.query;
      if (!projects.some(p => p.name === query.project) && projects.length) {
        query = { ...query, project: projects[0].name, offset: 0 };
      }
      const page = query.project
        ? await this._api.listRuns(query)
        : { runs: [], total: 0 };
      // A later query change wins over this answer.
      if (this._again) {
        this._update({ projects, loading: false });
        return;
      }
      const selected = new Map(this._state.selected);
      page.runs.forEach(run => {
        if (selected.has(run.id)) {
          selected.set(run.id, run);
        }
      });
      this._update({
        projects,
        query,
        runs: page.runs,
        total: page.total,
        selected,
        error: null,
        loading: false
      });
    } catch (error) {
      this._update({
        error: (error as Error).message ?? String(error),
        loading: false
      });
      throw error;
    }
  }

  private _update(change: Partial<IExperimentsState>): void {
    this._state = { ...this._state, ...change };
    this._stateChanged.emit(this._state);
  }

  private readonly _api: IExperimentsApi;
  private readonly _poll: Poll;
  private _pending: Promise<void> | null = null;
  private _again = false;
  private _active = false;
  private _state: IExperimentsState = {
    projects: [],
    query: {
      project: '',
      filter: '',
      orderBy: 'created_at',
      desc: true,
      limit: PAGE_SIZE,
      offset: 0
    },
    runs: [],
    total: 0,
    selected: new Map(),
    error: null,
    loading: false
  };
  private readonly _stateChanged = new Signal<this, IExperimentsState>(this);
  private readonly _selectionChanged = new Signal<this, IRun[]>(this);
}

export namespace ExperimentsModel {
  export interface IOptions {
    /** Replace the REST calls (tests). */
    api?: IExperimentsApi;
    autoPoll?: boolean;
    pollInterval?: number;
  }
}
