/**
 * State of the Experiments sidebar: the chosen project, the server-side query (filter,
 * order, page) and its answer, and the runs ticked for comparison (kept across pages).
 * The {@link PollingModel}'s poll reloads the page while it is visible so statuses and latest metrics
 * stay current; failures back off and show the server's message verbatim.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IPollingState, PollingModel } from '../pollingModel';
import { IProject, IRun, IRunsPage } from '../tokens';
import { listProjects, listRuns } from './api';
import { IRunsQuery } from './types';

const POLL_INTERVAL_MS = 10 * 1000;
const POLL_MAX_BACKOFF_MS = 2 * 60 * 1000;
export const PAGE_SIZE = 25;

export interface IExperimentsState extends IPollingState {
  projects: IProject[];
  query: IRunsQuery;
  runs: IRun[];
  total: number;
  /** Selected runs by id, in the order they were ticked. */
  selected: Map<string, IRun>;
}

export interface IExperimentsApi {
  listProjects: () => Promise<{ projects: IProject[] }>;
  listRuns: (query: IRunsQuery) => Promise<IRunsPage>;
}

export class ExperimentsModel extends PollingModel<IExperimentsState> {
  constructor(options: ExperimentsModel.IOptions = {}) {
    super(
      {
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
      },
      {
        name: 'experiments',
        interval: options.pollInterval ?? POLL_INTERVAL_MS,
        maxBackoff: POLL_MAX_BACKOFF_MS,
        autoPoll: options.autoPoll
      }
    );
    this._api = options.api ?? { listProjects, listRuns };
  }

  get selectionChanged(): ISignal<this, IRun[]> {
    return this._selectionChanged;
  }

  /** The ticked runs, in the order they were ticked. */
  get selectedRuns(): IRun[] {
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
      this.setState({ selected: new Map(), runs: [], total: 0 });
      this._selectionChanged.emit([]);
    }
    this.setState({ query });
    return this.refresh();
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
    this.setState({ selected: new Map() });
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
