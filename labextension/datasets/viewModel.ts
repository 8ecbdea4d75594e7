/**
 * State of one dataset's view: the chosen version (or the latest) with its preview,
 * statistics and thumbnails, the list of versions, and the rollback action. Loaded when
 * the view opens and when asked (a version chosen, an upload registered another one);
 * nothing here changes by itself, so it does not poll.
 */
import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import * as api from './api';
import { IDatasetVersion, IPreview, IStats, IThumbnails } from './types';

export type IDatasetViewApi = Pick<
  typeof api,
  'listVersions' | 'getVersion' | 'getPreview' | 'getStats' | 'getThumbnails' | 'rollback'
>;

/** What one load brings: everything the view shows of one version. */
export interface IDatasetLoaded {
  versions: IDatasetVersion[];
  current: IDatasetVersion;
  preview: IPreview;
  stats: IStats;
  /** For an image collection only. */
  thumbnails: IThumbnails | null;
}

export interface IDatasetViewState extends IPollingState {
  /** The version shown: a number, or whichever is the latest. */
  selected: number | 'latest';
  data: IDatasetLoaded | null;
  /** A rollback is on its way. */
  busy: boolean;
}

export class DatasetViewModel extends PollingModel<IDatasetViewState> {
  constructor(
    readonly name: string,
    options: { api?: IDatasetViewApi } = {}
  ) {
    super(
      { selected: 'latest', data: null, busy: false, loading: false, error: null },
      { name: 'dataset-view', interval: 60 * 1000, autoPoll: false }
    );
    this._api = options.api ?? api;
  }

  /** Show version `version` (or the latest). */
  select(version: number | 'latest'): Promise<void> {
    this.setState({ selected: version });
    return this.refresh();
  }

  /**
   * Make `version` the latest again (a new version with its contents); resolves to
   * whether the server accepted it. The view then shows the latest.
   */
  async rollback(version: number): Promise<boolean> {
    this.setState({ busy: true });
    try {
      await this._api.rollback(this.name, version);
    } catch (error) {
      this.setState({ busy: false, error: errorMessage(error) });
      return false;
    }
    this.setState({ busy: false, selected: 'latest' });
    await this.refresh();
    return true;
  }

  protected async loadState(): Promise<Partial<IDatasetViewState>> {
    const { name } = this;
    const [versions, current] = await Promise.all([
      this._api.listVersions(name),
      this._api.getVersion(name, this.state.selected)
    ]);
    const [preview, stats] = await Promise.all([
      this._api.getPreview(name, current.version),
      this._api.getStats(name, current.version)
    ]);
    const thumbnails =
      current.kind === 'images' ? await this._api.getThumbnails(name, current.version) : null;
    return { data: { versions, current, preview, stats, thumbnails } };
  }

  private readonly _api: IDatasetViewApi;
}
