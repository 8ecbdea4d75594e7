/**
 * State of the home tab: the last `GET /home` answer, reloaded by a {@link Poll} that
 * backs off on failure and stands by while the page is hidden, plus the Stop/Abort
 * actions on the caller's running runs and jobs.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { MLHubRequestError } from '../request';
import * as api from './api';
import { IHome } from './types';

export type IHomeApi = Pick<typeof api, 'getHome' | 'stopRun' | 'abortJob'>;

const POLL_INTERVAL_MS = 10 * 1000;
const POLL_MAX_BACKOFF_MS = 5 * 60 * 1000;

function message(error: unknown): string {
  return error instanceof MLHubRequestError || error instanceof Error ? error.message : String(error);
}

export class HomeModel {
  constructor(options: { api?: IHomeApi; autoPoll?: boolean } = {}) {
    this._api = options.api ?? api;
    this._poll = new Poll({
      auto: options.autoPoll ?? true,
      factory: () => this._load(),
      frequency: { interval: POLL_INTERVAL_MS, backoff: true, max: POLL_MAX_BACKOFF_MS },
      name: 'mlhub-ext:home',
      standby: 'when-hidden'
    });
  }

  /** Emitted after any change of state; read the getters then. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get home(): IHome | null {
    return this._home;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** The server's message for the last failed load or action, shown as sent. */
  get error(): string | null {
    return this._error;
  }

  /** Ids of runs and jobs with a Stop/Abort on its way. */
  get pending(): ReadonlySet<string> {
    return this._pending;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Reload now; a failure lands in {@link error}, not thrown. */
  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // already in this.error
    }
  }

  stopRun(id: string): Promise<void> {
    return this._act(id, () => this._api.stopRun(id));
  }

  abortJob(id: string): Promise<void> {
    return this._act(id, () => this._api.abortJob(id));
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _act(id: string, action: () => Promise<unknown>): Promise<void> {
    this._pending.add(id);
    this._changed.emit();
    try {
      await action();
      this._error = null;
    } catch (error) {
      this._error = message(error);
    } finally {
      this._pending.delete(id);
    }
    await this.refresh();
  }

  private async _load(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    try {
      this._home = await this._api.getHome();
      this._error = null;
    } catch (error) {
      this._error = message(error);
      throw error;
    } finally {
      this._loading = false;
      if (!this.isDisposed) {
        this._changed.emit();
      }
    }
  }

  private readonly _api: IHomeApi;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _pending = new Set<string>();
  private _home: IHome | null = null;
  private _loading = false;
  private _error: string | null = null;
}
