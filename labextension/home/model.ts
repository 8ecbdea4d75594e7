/**
 * State of the home tab: the last `GET /home` answer, reloaded by the
 * {@link PollingModel}'s poll (backing off on failure, standing by while hidden), plus
 * the Stop/Abort actions on the caller's running runs and jobs.
 */
import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import * as api from './api';
import { IHome } from './types';

export type IHomeApi = Pick<typeof api, 'getHome' | 'stopRun' | 'abortJob'>;

const POLL_INTERVAL_MS = 10 * 1000;

export interface IHomeState extends IPollingState {
  /** The last `GET /home` answer (null until the first one). */
  home: IHome | null;
  /** Ids of runs and jobs with a Stop/Abort on its way. */
  pending: ReadonlySet<string>;
}

export class HomeModel extends PollingModel<IHomeState> {
  constructor(options: { api?: IHomeApi; autoPoll?: boolean } = {}) {
    super(
      { home: null, pending: new Set(), loading: false, error: null },
      { name: 'home', interval: POLL_INTERVAL_MS, autoPoll: options.autoPoll }
    );
    this._api = options.api ?? api;
  }

  get home(): IHome | null {
    return this.state.home;
  }

  get loading(): boolean {
    return this.state.loading;
  }

  /** The server's message for the last failed load or action, shown as sent. */
  get error(): string | null {
    return this.state.error;
  }

  /** Ids of runs and jobs with a Stop/Abort on its way. */
  get pending(): ReadonlySet<string> {
    return this.state.pending;
  }

  stopRun(id: string): Promise<void> {
    return this._act(id, () => this._api.stopRun(id));
  }

  abortJob(id: string): Promise<void> {
    return this._act(id, () => this._api.abortJob(id));
  }

  protected async loadState(): Promise<Partial<IHomeState>> {
    return { home: await this._api.getHome() };
  }

  private async _act(id: string, action: () => Promise<unknown>): Promise<void> {
    this._setPending(id, true);
    try {
      await action();
      this.setState({ error: null });
    } catch (error) {
      this.setState({ error: errorMessage(error) });
    } finally {
      this._setPending(id, false);
    }
    await this.refresh();
  }

  private _setPending(id: string, on: boolean): void {
    const pending = new Set(this.state.pending);
    if (on) {
      pending.add(id);
    } else {
      pending.delete(id);
    }
    this.setState({ pending });
  }

  private readonly _api: IHomeApi;
}
