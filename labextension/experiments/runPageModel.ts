/**
 * State of one run's page: the run and its metric series (a {@link CompareModel} of one
 * run, so the page follows the stream exactly as the compare view does), plus what only
 * the page shows — artifacts, linked model versions and datasets, the caller's role on
 * the project — and the actions (edit, stop, delete). Artifacts and links are polled
 * while the run is running and the page is visible; a run that ends reloads them once.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IProject, IRun, Role } from '../tokens';
import {
  deleteRun,
  getProject,
  getRun,
  getRunLinks,
  getSeries,
  listArtifacts,
  patchRun,
  stopRun
} from './api';
import { CompareModel, ICompareApi } from './compareModel';
import { RunStream } from './stream';
import { IArtifact, IRunLinks } from './types';

const EXTRAS_POLL_MS = 10 * 1000;
const EXTRAS_MAX_BACKOFF_MS = 2 * 60 * 1000;

/** Roles that may change a run, and those that may delete it. */
const EDIT_ROLES: ReadonlyArray<Role> = ['owner', 'manage', 'edit'];
const MANAGE_ROLES: ReadonlyArray<Role> = ['owner', 'manage'];

export type RunEdit = Partial<Pick<IRun, 'name' | 'tags' | 'notes'>>;

export interface IRunPageApi extends ICompareApi {
  getProject: (name: string) => Promise<IProject>;
  listArtifacts: (id: string) => Promise<{ artifacts: IArtifact[] }>;
  getRunLinks: (id: string) => Promise<IRunLinks>;
  patchRun: (id: string, change: RunEdit) => Promise<IRun>;
  stopRun: (id: string) => Promise<IRun>;
  deleteRun: (id: string) => Promise<void>;
}

export class RunPageModel {
  constructor(readonly runId: string, options: RunPageModel.IOptions = {}) {
    this._api = options.api ?? {
      getRun,
      getSeries,
      getProject,
      listArtifacts,
      getRunLinks,
      patchRun,
      stopRun,
      deleteRun
    };
    this.metrics = new CompareModel([runId], { api: this._api, stream: options.stream });
    this.metrics.changed.connect(this._onMetrics, this);
    this._extras = new Poll({
      auto: false,
      factory: () => this._loadExtras(),
      frequency: { interval: EXTRAS_POLL_MS, backoff: true, max: EXTRAS_MAX_BACKOFF_MS },
      name: 'mlhub-ext:run-page',
      // Only a running run gains artifacts and versions; poll it while the page is seen.
      standby: () => !this._visible || this.run?.status !== 'running' || 'when-hidden'
    });
  }

  /** The run and its series, live from the stream. */
  readonly metrics: CompareModel;

  /** The run as last sent by the server (null until loaded, or once deleted). */
  get run(): IRun | null {
    return this._deleted ? null : (this.metrics.runs[0] ?? null);
  }

  /** The caller's role on the run's project (null until known). */
  get role(): Role | null {
    return this._role;
  }

  get canEdit(): boolean {
    return this._role !== null && EDIT_ROLES.includes(this._role);
  }

  get canDelete(): boolean {
    return this._role !== null && MANAGE_ROLES.includes(this._role);
  }

  get artifacts(): IArtifact[] {
    return this._artifacts;
  }

  get links(): IRunLinks | null {
    return this._links;
  }

  /** The last failed load's message (the run itself, or the series), verbatim. */
  get error(): string | null {
    return this.metrics.error ?? this._error;
  }

  /** The last failed action's message (edit, stop, delete), verbatim. */
  get actionError(): string | null {
    return this._actionError;
  }

  /** An action is on its way to the server. */
  get busy(): boolean {
    return this._busy;
  }

  get deleted(): boolean {
    return this._deleted;
  }

  /** Bumped on every change: lets views and tests see updates. */
  get version(): number {
    return this._version;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted once the run was deleted from this page. */
  get deletedSignal(): ISignal<this, void> {
    return this._deletedSignal;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The page's tab shows (true) or hides (false); hidden, artifacts and links are not polled. */
  setVisible(visible: boolean): void {
    this._visible = visible;
  }

  /** Load the run, its series (downsampled to `maxPoints`) and everything else shown. */
  async load(maxPoints: number): Promise<void> {
    await Promise.all([this.metrics.load(maxPoints), this._loadExtras().catch(() => undefined)]);
    void this._extras.start();
  }

  /** Fetch everything again. */
  async reload(): Promise<void> {
    await Promise.all([this.metrics.reload(), this._loadExtras().catch(() => undefined)]);
  }

  /** Change name, tags or notes; the answer replaces the run shown. */
  edit(change: RunEdit): Promise<boolean> {
    return this._act(async () => this.metrics.applyRun(await this._api.patchRun(this.runId, change)));
  }

  /** Ask the run's process to stop at its next log call. */
  stop(): Promise<boolean> {
    return this._act(async () => this.metrics.applyRun(await this._api.stopRun(this.runId)));
  }

  /** Delete the run; `deletedSignal` fires when the server confirmed it. */
  async delete(): Promise<boolean> {
    const done = await this._act(() => this._api.deleteRun(this.runId));
    if (done) {
      this._deleted = true;
      this._deletedSignal.emit();
    }
    return done;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._extras.dispose();
    this.metrics.dispose();
    Signal.clearData(this);
  }

  private async _act(action: () => Promise<unknown>): Promise<boolean> {
    this._busy = true;
    this._actionError = null;
    this._emit();
    try {
      await action();
      return true;
    } catch (error) {
      this._actionError = (error as Error).message ?? String(error);
      return false;
    } finally {
      this._busy = false;
      this._emit();
    }
  }

  private async _loadExtras(): Promise<void> {
    try {
      // The project (and the caller's role on it) is known from the run.
      const run = this.run ?? (await this._api.getRun(this.runId));
      const [project, artifacts, links] = await Promise.all([
        this._role === null ? this._api.getProject(run.project) : null,
        this._api.listArtifacts(this.runId),
        this._api.getRunLinks(this.runId)
      ]);
      if (project) {
        this._role = project.role;
      }
      this._artifacts = artifacts.artifacts;
      this._links = links;
      this._error = null;
    } catch (error) {
      this._error = (error as Error).message ?? String(error);
      throw error;
    } finally {
      this._emit();
    }
  }

  private _onMetrics(): void {
    const status = this.run?.status ?? null;
    if (this._status === 'running' && status !== null && status !== 'running') {
      // The run just ended: its last artifacts and versions are in by now.
      void this._loadExtras().catch(() => undefined);
    }
    this._status = status;
    this._emit();
  }

  private _emit(): void {
    if (!this._disposed) {
      this._version++;
      this._changed.emit();
    }
  }

  private readonly _api: IRunPageApi;
  private readonly _extras: Poll;
  private _role: Role | null = null;
  private _artifacts: IArtifact[] = [];
  private _links: IRunLinks | null = null;
  private _error: string | null = null;
  private _actionError: string | null = null;
  private _busy = false;
  private _deleted = false;
  private _status: string | null = null;
  private _visible = true;
  private _version = 0;
  private _disposed = false;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _deletedSignal = new Signal<this, void>(this);
}

export namespace RunPageModel {
  export interface IOptions {
    /** Replace the REST calls (tests). */
    api?: IRunPageApi;
    /** Replace the stream (tests). */
    stream?: RunStream;
  }
}
