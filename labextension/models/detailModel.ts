/**
 * State of one model's view: the model, its versions, its aliases with history and the
 * selected version with its evaluation, plus the actions (promote / roll back, publish,
 * archive) that change them. Loaded when the view opens and when asked (a job trained a
 * version, Refresh); every failure keeps the server's message.
 */
import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import * as api from './api';
import { IAliases, IModel, IModelVersion, IVersionPatch } from './types';

export type IModelDetailApi = Pick<
  typeof api,
  'getModel' | 'listVersions' | 'getAliases' | 'getVersion' | 'setAlias' | 'patchVersion'
>;

export interface IModelDetailState extends IPollingState {
  model: IModel | null;
  versions: IModelVersion[];
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
    const [model, versions, aliases] = await Promise.all([
      this._api.getModel(name),
      this._api.listVersions(name),
      this._api.getAliases(name)
    ]);
    const wanted = this.state.selected;
    const selected = versions.some(v => v.version === wanted) ? wanted : (versions[0]?.version ?? null);
    const asked = ++this._detailAsked;
    const detail = selected === null ? null : await this._api.getVersion(name, selected);
    const loaded = { model, versions, aliases, loads: this.state.loads + 1 };
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
}
