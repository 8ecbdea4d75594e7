/**
 * State of one run's page: the run and its metric series (a {@link CompareModel} of one
 * run, so the page follows the stream exactly as the compare view does), plus what only
 * the page shows — artifacts, linked model versions and datasets, the caller's role on
 * the project — and the actions (edit, stop, delete). Artifacts and links are polled
 * while the run is running and the page is visible; a run that ends reloads them once.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import { IProject, IRun, Role } from '../tokens';
import {
  deleteRun,
  getProject,
  getRun,
  getRunLinks,
  listArtifacts,
  patchRun,
  queryMetrics,
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

/** What the page shows besides the run and its series (those are in `metrics`). */
export interface IRunPageState extends IPollingState {
  /** The caller's role on the run's project (null until known). */
  role: Role | null;
  artifacts: IArtifact[];
  links: IRunLinks | null;
  /** The last failed action's message (edit, stop, delete), verbatim. */
  actionError: string | null;
  /** An action is on its way to the server. */
  busy: boolean;
  deleted: boolean;
}

export class RunPageModel extends PollingModel<IRunPageState> {
  constructor(
    readonly runId: string,
    options: RunPageModel.IOptions = {}
  ) {
    super(
      {
        role: null,
        artifacts: [],
        links: null,
        actionError: null,
        busy: false,
        deleted: false,
        loading: false,
        error: null
      },
      // Started once the page has loaded (see load()).
      { name: 'run-page', interval: EXTRAS_POLL_MS, maxBackoff: EXTRAS_MAX_BACKOFF_MS, autoPoll: false }
    );
    this._api = options.api ?? {
      getRun,
      queryMetrics,
      getProject,
      listArtifacts,
      getRunLinks,
      patchRun,
      stopRun,
      deleteRun
    };
    this.metrics = new CompareModel([runId], { api: this._api, stream: options.stream });
    this.metrics.changed.connect(this._onMetrics, this);
    this.stateChanged.connect(this._emit, this);
  }

  /** The run and its series, live from the stream. */
  readonly metrics: CompareModel;

  /** The run as last sent by the server (null until loaded, or once deleted). */
  get run(): IRun | null {
    return this.state.deleted ? null : (this.metrics.runs[0] ?? null);
  }

  get role(): Role | null {
    return this.state.role;
  }

  get canEdit(): boolean {
    return this.role !== null && EDIT_ROLES.includes(this.role);
  }

  get canDelete(): boolean {
    return this.role !== null && MANAGE_ROLES.includes(this.role);
  }

  get artifacts(): IArtifact[] {
    return this.state.artifacts;
  }

  get links(): IRunLinks | null {
    return this.state.links;
  }

  /** The last failed load's message (the run itself, or the series), verbatim. */
  get error(): string | null {
    return this.metrics.error ?? this.state.error;
  }

  get actionError(): string | null {
    return this.state.actionError;
  }

  get busy(): boolean {
    return this.state.busy;
  }

  get deleted(): boolean {
    return this.state.deleted;
  }

  /** Bumped on every change, of the page's own state or of the run's series. */
  get version(): number {
    return this._changes;
  }

  /** Emitted on every change, of the page's own state or of the run's series. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted once the run was deleted from this page. */
  get deletedSignal(): ISignal<this, void> {
    return this._deletedSignal;
  }

  /** The page's tab shows (true) or hides (false); hidden, artifacts and links are not polled. */
  setVisible(visible: boolean): void {
    this._visible = visible;
  }

  /** Load the run, its series (downsampled to `maxPoints`) and everything else shown. */
  async load(maxPoints: number): Promise<void> {
    await Promise.all([this.metrics.load(maxPoints), this.refresh()]);
    void this.poll.start();
  }

  /** Fetch everything again. */
  async reload(): Promise<void> {
    await Promise.all([this.metrics.reload(), this.refresh()]);
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
      this.setState({ deleted: true });
      this._deletedSignal.emit();
    }
    return done;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.metrics.dispose();
    super.dispose();
  }

  /** Only a running run gains artifacts and versions; poll it while the page is seen. */
  protected standby(): boolean | Poll.Standby {
    return !this._visible || this.run?.status !== 'running' || 'when-hidden';
  }

  /** Artifacts and links, and the caller's role on the run's project (once). */
  protected async loadState(): Promise<Partial<IRunPageState>> {
    const run = this.run ?? (await this._api.getRun(this.runId));
    const [project, artifacts, links] = await Promise.all([
      this.role === null ? this._api.getProject(run.project) : null,
      this._api.listArtifacts(this.runId),
      this._api.getRunLinks(this.runId)
    ]);
    return { role: project ? project.role : this.role, artifacts: artifacts.artifacts, links };
  }

  private async _act(action: () => Promise<unknown>): Promise<boolean> {
    this.setState({ busy: true, actionError: null });
    try {
      await action();
      return true;
    } catch (error) {
      this.setState({ actionError: errorMessage(error) });
      return false;
    } finally {
      this.setState({ busy: false });
    }
  }

  private _onMetrics(): void {
    const status = this.run?.status ?? null;
    if (this._status === 'running' && status !== null && status !== 'running') {
      // The run just ended: its last artifacts and versions are in by now.
      void this.refresh();
    }
    this._status = status;
    this._emit();
  }

  private _emit(): void {
    if (!this.isDisposed) {
      this._changes++;
      this._changed.emit();
    }
  }

  private readonly _api: IRunPageApi;
  private _status: string | null = null;
  private _visible = true;
  private _changes = 0;
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
