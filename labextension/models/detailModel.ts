/**
 * State of one model's view: the model, its versions, its aliases with history and the
 * selected version with its evaluation, plus the actions (promote / roll back, publish,
 * archive) that change them. Loaded when the view opens and when asked (a job trained a
 * version, Refresh); every failure keeps the server's message.
 *
 * Versions come a page at a time from the server ({@link VERSIONS_PAGE}; a model may have
 * thousands), filtered and ordered there; "load more" appends the next page, and a reload
 * fetches as many as were shown. The selected version need not be on a loaded page: its
 * detail is fetched by number.
 */
import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import { MLHubRequestError } from '../request';
import * as api from './api';
import { IAliases, IModel, IModelVersion, IVersionList, IVersionPatch, IVersionsPage } from './types';

/** Versions fetched at a time. */
export const VERSIONS_PAGE = 50;
/** The most versions a reload fetches at once (the server's limit). */
const MAX_RELOAD = 1000;

export type IModelDetailApi = Pick<
  typeof api,
  'getModel' | 'pageVersions' | 'getAliases' | 'getVersion' | 'setAlias' | 'patchVersion'
>;

/** How the version list is searched and ordered. */
export type IVersionsQuery = Pick<IVersionsPage, 'q' | 'order'>;

export interface IModelDetailState extends IPollingState {
  model: IModel | null;
  /** The versions loaded so far (pages of the query, in its order). */
  versions: IModelVersion[];
  /** How many versions match the query in all. */
  versionsTotal: number;
  versionsQuery: IVersionsQuery;
  aliases: IAliases | null;
  /** The version shown (null until the versions are known, or for a model without any). */
  selected: number | null;
  /** The selected version as last sent (the previous one until the new one arrives). */
  detail: IModelVersion | null;
  /** An action is on its way. */
  busy: boolean;
  /** Bumped after every load, so dependants (inferences) refresh too. */
  loads: number;
}

export class ModelDetailModel extends PollingModel<IModelDetailState> {
  constructor(
    readonly name: string,
    options: { version?: number; api?: IModelDetailApi } = {}
  ) {
    super(
      {
        model: null,
        versions: [],
        versionsTotal: 0,
        versionsQuery: { q: '', order: 'desc' },
        aliases: null,
        selected: options.version ?? null,
        detail: null,
        busy: false,
        loads: 0,
        loading: false,
        error: null
      },
      { name: 'model-view', interval: 60 * 1000, autoPoll: false }
    );
    this._api = options.api ?? api;
  }

  /** Show version `version`: only its detail is fetched. */
  async select(version: number): Promise<void> {
    this.setState({ selected: version });
    const asked = ++this._detailAsked;
    try {
      const detail = await this._api.getVersion(this.name, version);
      if (asked === this._detailAsked) {
        this.setState({ detail });
      }
    } catch (error) {
      if (asked === this._detailAsked) {
        this.setState({ error: errorMessage(error) });
      }
    }
  }

  /** Search and order the version list on the server (back to its first page). */
  async setVersionsQuery(change: Partial<IVersionsQuery>): Promise<void> {
    const query = { ...this.state.versionsQuery, ...change };
    await this._fetchPage({ versionsQuery: query }, query, 0, page => page.versions);
  }

  /** Append the next page of versions (nothing when all are loaded). */
  async loadMore(): Promise<void> {
    const { versions, versionsTotal, versionsQuery } = this.state;
    if (versions.length >= versionsTotal) {
      return;
    }
    await this._fetchPage({}, versionsQuery, versions.length, page => {
      // A version added meanwhile shifts the pages: skip any already shown.
      const seen = new Set(versions.map(v => v.version));
      return [...versions, ...page.versions.filter(v => !seen.has(v.version))];
    });
  }

  /**
   * One page of versions from `offset`; `merge` turns it into the list shown. Only the
   * latest call's answer (or error) lands: an older one still in flight is dropped.
   */
  private async _fetchPage(
    before: Partial<IModelDetailState>,
    query: IVersionsQuery,
    offset: number,
    merge: (page: IVersionList) => IModelVersion[]
  ): Promise<void> {
    const asked = ++this._pageAsked;
    this.setState({ ...before, loading: true });
    try {
      const page = await this._api.pageVersions(this.name, { ...query, limit: VERSIONS_PAGE, offset });
      if (asked === this._pageAsked) {
        this.setState({ versions: merge(page), versionsTotal: page.total, error: null });
      }
    } catch (error) {
      if (asked === this._pageAsked) {
        this.setState({ error: errorMessage(error) });
      }
    } finally {
      if (asked === this._pageAsked) {
        this.setState({ loading: false });
      }
    }
  }

  /** Load everything again, showing `version` if given (a job just produced it). */
  show(version?: number): Promise<void> {
    if (version !== undefined) {
      this.setState({ selected: version });
    }
    return this.refresh();
  }

  /** Point alias `stage` at `version` (promote, or roll back to an older one). */
  promote(stage: string, version: number): Promise<boolean> {
    return this._act(() => this._api.setAlias(this.name, stage, version));
  }

  /** Change a version's tags, description, visibility or archived flag. */
  patch(version: number, patch: IVersionPatch): Promise<boolean> {
    return this._act(() => this._api.patchVersion(this.name, version, patch));
  }

  protected async loadState(): Promise<Partial<IModelDetailState>> {
    const { name } = this;
    const { versionsQuery } = this.state;
    // As many as were shown (load more), so a reload keeps the list where it was.
    const limit = Math.min(MAX_RELOAD, Math.max(VERSIONS_PAGE, this.state.versions.length));
    const pageAsked = ++this._pageAsked;
    const [model, page, aliases] = await Promise.all([
      this._api.getModel(name),
      this._api.pageVersions(name, { ...versionsQuery, limit, offset: 0 }),
      this._api.getAliases(name)
    ]);
    const { versions } = page;
    const asked = ++this._detailAsked;
    const wanted = this.state.selected;
    let selected = wanted ?? versions[0]?.version ?? null;
    let detail: IModelVersion | null = null;
    if (selected !== null) {
      try {
        detail = await this._api.getVersion(name, selected);
      } catch (error) {
        // The version asked for is not (or no longer) there: the newest listed instead.
        const gone = error instanceof MLHubRequestError && error.status === 404;
        if (!gone || wanted === null || !versions.length || versions[0].version === wanted) {
          throw error;
        }
        selected = versions[0].version;
        detail = await this._api.getVersion(name, selected);
      }
    }
    const loaded: Partial<IModelDetailState> = { model, aliases, loads: this.state.loads + 1 };
    if (pageAsked === this._pageAsked) {
      // (A search or "load more" started meanwhile owns the list.)
      Object.assign(loaded, { versions, versionsTotal: page.total });
    }
    // Another version was chosen meanwhile: its own fetch shows it.
    return asked === this._detailAsked ? { ...loaded, selected, detail } : loaded;
  }

  private async _act(action: () => Promise<unknown>): Promise<boolean> {
    this.setState({ busy: true });
    try {
      await action();
    } catch (error) {
      this.setState({ busy: false, error: errorMessage(error) });
      return false;
    }
    this.setState({ busy: false, error: null });
    await this.refresh();
    return true;
  }

  private readonly _api: IModelDetailApi;
  private _detailAsked = 0;
  private _pageAsked = 0;
}
