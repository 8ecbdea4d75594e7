/**
 * State of the profile view: who the caller is, what they own and were given, and their
 * API tokens. A token's value is held only between its creation and {@link
 * ProfileModel.dismissCreated} (or the next creation): the server never sends it again.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { MLHubRequestError } from '../request';
import * as api from './api';
import { IApiToken, ICreatedToken, IMe, INewToken } from './types';

export type IProfileApi = Pick<typeof api, 'getMe' | 'listTokens' | 'createToken' | 'revokeToken'>;

function message(error: unknown): string {
  return error instanceof MLHubRequestError || error instanceof Error ? error.message : String(error);
}

export class ProfileModel {
  constructor(options: { api?: IProfileApi } = {}) {
    this._api = options.api ?? api;
  }

  /** Emitted after any change of state; read the getters then. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get me(): IMe | null {
    return this._me;
  }

  get tokens(): ReadonlyArray<IApiToken> {
    return this._tokens;
  }

  /** The token just created, with its value; null once dismissed. */
  get created(): ICreatedToken | null {
    return this._created;
  }

  get loading(): boolean {
    return this._loading;
  }

  get busy(): boolean {
    return this._busy;
  }

  /** The server's message for the last failed load. */
  get error(): string | null {
    return this._error;
  }

  /** The server's message for the last failed token action (create, revoke). */
  get tokenError(): string | null {
    return this._tokenError;
  }

  async refresh(): Promise<void> {
    this._loading = true;
    this._emit();
    try {
      const [me, tokens] = await Promise.all([this._api.getMe(), this._api.listTokens()]);
      this._me = me;
      this._tokens = tokens;
      this._error = null;
    } catch (error) {
      this._error = message(error);
    } finally {
      this._loading = false;
      this._emit();
    }
  }

  /** Create a token; on success its value is in {@link created} until dismissed. */
  async createToken(token: INewToken): Promise<boolean> {
    return this._tokenAction(async () => {
      this._created = await this._api.createToken(token);
    });
  }

  async revokeToken(id: number): Promise<boolean> {
    return this._tokenAction(async () => {
      await this._api.revokeToken(id);
      if (this._created?.id === id) {
        this._created = null;
      }
    });
  }

  /** Forget the value of the token just created (it cannot be shown again). */
  dismissCreated(): void {
    this._created = null;
    this._emit();
  }

  dispose(): void {
    this._created = null;
    Signal.clearData(this);
  }

  private async _tokenAction(action: () => Promise<void>): Promise<boolean> {
    this._busy = true;
    this._tokenError = null;
    this._emit();
    try {
      await action();
      this._tokens = await this._api.listTokens();
      return true;
    } catch (error) {
      this._tokenError = message(error);
      return false;
    } finally {
      this._busy = false;
      this._emit();
    }
  }

  private _emit(): void {
    this._changed.emit();
  }

  private readonly _api: IProfileApi;
  private readonly _changed = new Signal<this, void>(this);
  private _me: IMe | null = null;
  private _tokens: IApiToken[] = [];
  private _created: ICreatedToken | null = null;
  private _loading = false;
  private _busy = false;
  private _error: string | null = null;
  private _tokenError: string | null = null;
}
