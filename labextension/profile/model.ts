/**
 * State of the profile view: who the caller is, what they own and were given, and their
 * API tokens. A token's value is held only between its creation and {@link
 * ProfileModel.dismissCreated} (or the next creation): the server never sends it again.
 */
import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import * as api from './api';
import { IApiToken, ICreatedToken, IMe, INewToken } from './types';

export type IProfileApi = Pick<typeof api, 'getMe' | 'listTokens' | 'createToken' | 'revokeToken'>;

export interface IProfileState extends IPollingState {
  me: IMe | null;
  tokens: ReadonlyArray<IApiToken>;
  /** The token just created, with its value; null once dismissed. */
  created: ICreatedToken | null;
  /** A token action (create, revoke) is on its way. */
  busy: boolean;
  /** The server's message for the last failed token action (create, revoke). */
  tokenError: string | null;
}

/** Loaded when the view opens and on Refresh; nothing here changes by itself, so no poll. */
export class ProfileModel extends PollingModel<IProfileState> {
  constructor(options: { api?: IProfileApi } = {}) {
    super(
      { me: null, tokens: [], created: null, busy: false, tokenError: null, loading: false, error: null },
      { name: 'profile', interval: 60 * 1000, autoPoll: false }
    );
    this._api = options.api ?? api;
  }

  get me(): IMe | null {
    return this.state.me;
  }

  get tokens(): ReadonlyArray<IApiToken> {
    return this.state.tokens;
  }

  /** The token just created, with its value; null once dismissed. */
  get created(): ICreatedToken | null {
    return this.state.created;
  }

  get loading(): boolean {
    return this.state.loading;
  }

  get busy(): boolean {
    return this.state.busy;
  }

  /** The server's message for the last failed load. */
  get error(): string | null {
    return this.state.error;
  }

  /** The server's message for the last failed token action (create, revoke). */
  get tokenError(): string | null {
    return this.state.tokenError;
  }

  /** Create a token; on success its value is in {@link created} until dismissed. */
  async createToken(token: INewToken): Promise<boolean> {
    return this._tokenAction(async () => {
      this.setState({ created: await this._api.createToken(token) });
    });
  }

  async revokeToken(id: number): Promise<boolean> {
    return this._tokenAction(async () => {
      await this._api.revokeToken(id);
      if (this.state.created?.id === id) {
        this.setState({ created: null });
      }
    });
  }

  /** Forget the value of the token just created (it cannot be shown again). */
  dismissCreated(): void {
    this.setState({ created: null });
  }

  dispose(): void {
    this.setState({ created: null });
    super.dispose();
  }

  protected async loadState(): Promise<Partial<IProfileState>> {
    const [me, tokens] = await Promise.all([this._api.getMe(), this._api.listTokens()]);
    return { me, tokens };
  }

  private async _tokenAction(action: () => Promise<void>): Promise<boolean> {
    this.setState({ busy: true, tokenError: null });
    try {
      await action();
      this.setState({ tokens: await this._api.listTokens() });
      return true;
    } catch (error) {
      this.setState({ tokenError: errorMessage(error) });
      return false;
    } finally {
      this.setState({ busy: false });
    }
  }

  private readonly _api: IProfileApi;
}
