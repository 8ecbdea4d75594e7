/**
 * The sidebar's state: the handshake, the caller's projects and each project's latest
 * runs, reloaded by a {@link Poll} that backs off on failure and stands by while the
 * page is hidden.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { requestAPI } from './request';
import {
  IHandshake,
  IMLHubModel,
  IMLHubState,
  IProjectSummary,
  IProjectsPage,
  IRunsPage,
  RUNS_PER_PROJECT
} from './tokens';
import { EXTENSION_VERSION } from './version';

/** How often the sidebar reloads by itself while the page is visible. */
const POLL_INTERVAL_MS = 30 * 1000;
const POLL_MAX_BACKOFF_MS = 5 * 60 * 1000;

/** Injected for tests: fetch a path under /mlhub/api/v1/. */
export type Fetcher = <T>(path: string) => Promise<T>;

export class MLHubModel implements IMLHubModel {
  constructor(options: MLHubModel.IOptions = {}) {
    this._fetch = options.fetch ?? (<T>(path: string) => requestAPI<T>(path));
    this._poll = new Poll({
      auto: options.autoPoll ?? true,
      factory: () => this._load(),
      frequency: {
        interval: options.pollInterval ?? POLL_INTERVAL_MS,
        backoff: true,
        max: POLL_MAX_BACKOFF_MS
      },
      name: 'mlhub-ext:sidebar',
      standby: 'when-hidden'
    });
  }

  get state(): IMLHubState {
    return this._state;
  }

  get stateChanged(): ISignal<this, IMLHubState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Reload now; a failure is recorded in `state.error`, not thrown. */
  async refresh(): Promise<void> {
    try {
      // A tick already in flight may have read the registry before the change that asks
      // for this refresh (a visibility just made public): wait for it, then load again.
      if (this._pending) {
        await this._pending.catch(() => undefined);
      }
      await this._load();
    } catch {
      // The message is already in state.error, which is what the user sees.
    }
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** One load at a time: a click during a poll tick waits for that tick. */
  private _load(): Promise<void> {
    if (!this._pending) {
      this._pending = this._doLoad().finally(() => {
        this._pending = null;
      });
    }
    return this._pending;
  }

  private async _doLoad(): Promise<void> {
    this._update({ loading: true });
    try {
      const handshake = await this._fetch<IHandshake>('');
      const page = await this._fetch<IProjectsPage>('projects');
      const projects = await Promise.all(
        page.projects.map(async (project): Promise<IProjectSummary> => {
          const runs = await this._fetch<IRunsPage>(
            `runs?project=${encodeURIComponent(project.name)}&limit=${RUNS_PER_PROJECT}`
          );
          return { project, runs: runs.runs, runTotal: runs.total };
        })
      );
      this._update({
        handshake,
        projects,
        projectTotal: page.total,
        error: null,
        versionMismatch: versionMismatch(handshake.version, EXTENSION_VERSION),
        loading: false,
        updatedAt: new Date()
      });
    } catch (error) {
      this._update({
        error: (error as Error).message ?? String(error),
        loading: false
      });
      throw error;
    }
  }

  private _update(change: Partial<IMLHubState>): void {
    this._state = { ...this._state, ...change };
    this._stateChanged.emit(this._state);
  }

  private readonly _fetch: Fetcher;
  private readonly _poll: Poll;
  private _pending: Promise<void> | null = null;
  private _state: IMLHubState = {
    handshake: null,
    projects: [],
    projectTotal: 0,
    error: null,
    versionMismatch: null,
    loading: false,
    updatedAt: null
  };
  private readonly _stateChanged = new Signal<this, IMLHubState>(this);
}

export namespace MLHubModel {
  export interface IOptions {
    /** Replace the HTTP seam (tests). */
    fetch?: Fetcher;
    /** Start polling on construction (default true). */
    autoPoll?: boolean;
    pollInterval?: number;
  }
}

/** The banner text when server and extension versions differ, else null. */
export function versionMismatch(server: string, extension: string): string | null {
  if (server === extension) {
    return null;
  }
  return (
    `ML Hub server ${server}, lab extension ${extension}: reinstall ML Hub ` +
    '(pip install --force-reinstall mlhub_ext) and restart JupyterLab so both match.'
  );
}
