/**
 * State of the Models sidebar: the filtered catalogue with its dashboard counts and the
 * recent jobs. A {@link Poll} reloads both (fast while a job is queued or running, slow
 * otherwise, backing off on failure, standing by while hidden); job progress also
 * arrives live from the stream between polls.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { abortJob, listJobs, listModels } from './api';
import { JobStream } from './jobStream';
import { ACTIVE_STATES, ICounts, IJob, IModel, IModelsQuery } from './types';

const IDLE_INTERVAL_MS = 30 * 1000;
const ACTIVE_INTERVAL_MS = 2 * 1000;
const JOBS_SHOWN = 15;

export interface IModelsState {
  models: IModel[];
  total: number;
  counts: ICounts | null;
  jobs: IJob[];
  query: IModelsQuery;
  loading: boolean;
  /** The server's own message for the last failed load or action, shown verbatim. */
  error: string | null;
}

export const EMPTY_QUERY: IModelsQuery = { q: '', tag: '', stage: '', type: '', developer: '' };

export class ModelsModel {
  constructor(options: { autoPoll?: boolean } = {}) {
    this._poll = new Poll({
      auto: options.autoPoll ?? true,
      factory: () => this._load(),
      frequency: { interval: IDLE_INTERVAL_MS, backoff: true, max: 5 * 60 * 1000 },
      name: 'mlhub-ext:models',
      standby: 'when-hidden'
    });
    this._stream.job.connect((_, job) => this.mergeJob(job));
  }

  get state(): IModelsState {
    return this._state;
  }

  get stateChanged(): ISignal<this, IModelsState> {
    return this._stateChanged;
  }

  /** Emitted when a job reaches a final state (views of its model may reload). */
  get jobFinished(): ISignal<this, IJob> {
    return this._jobFinished;
  }

  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // The message is in state.error, which is what the user sees.
    }
  }

  setQuery(patch: Partial<IModelsQuery>): void {
    this._set({ query: { ...this._state.query, ...patch } });
    void this.refresh();
  }

  async abort(job: IJob): Promise<void> {
    try {
      this.mergeJob(await abortJob(job.id));
    } catch (error) {
      this._set({ error: (error as Error).message });
    }
  }

  /** Put a job (new, or a newer state of a listed one) at its place in the list. */
  mergeJob(job: IJob): void {
    const before = this._state.jobs.find(j => j.id === job.id);
    if (before && before.updated_at > job.updated_at) {
      return;
    }
    const others = this._state.jobs.filter(j => j.id !== job.id);
    const jobs = [job, ...others]
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, JOBS_SHOWN);
    this._set({ jobs });
    this._stream.follow([job]);
    this._pace();
    const wasActive = !before || ACTIVE_STATES.includes(before.state);
    if (wasActive && !ACTIVE_STATES.includes(job.state)) {
      this._jobFinished.emit(job);
      void this.refresh();
    }
  }

  dispose(): void {
    this._poll.dispose();
    this._stream.dispose();
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    // Loads overlap (poll, refresh, a new query): only the latest one may set the state.
    const seq = ++this._seq;
    this._set({ loading: true });
    try {
      const [page, jobs] = await Promise.all([
        listModels(this._state.query),
        listJobs(JOBS_SHOWN)
      ]);
      if (seq !== this._seq) {
        return;
      }
      const finished = jobs.jobs.filter(job => {
        const before = this._state.jobs.find(j => j.id === job.id);
        return before && ACTIVE_STATES.includes(before.state) && !ACTIVE_STATES.includes(job.state);
      });
      this._set({
        models: page.models,
        total: page.total,
        counts: page.counts,
        jobs: jobs.jobs,
        loading: false,
        error: null
      });
      this._stream.follow(jobs.jobs.filter(j => ACTIVE_STATES.includes(j.state)));
      finished.forEach(job => this._jobFinished.emit(job));
      this._pace();
    } catch (error) {
      if (seq !== this._seq) {
        return;
      }
      this._set({ loading: false, error: (error as Error).message ?? String(error) });
      throw error;
    }
  }

  /** Poll every few seconds while a job is active, else every half minute. */
  private _pace(): void {
    const active = this._state.jobs.some(j => ACTIVE_STATES.includes(j.state));
    const interval = active ? ACTIVE_INTERVAL_MS : IDLE_INTERVAL_MS;
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = { ...this._poll.frequency, interval };
      if (active) {
        // The tick already pending was set with the idle interval: a job without a run
        // (a sweep) has no stream updates, so its first state would come that late.
        void this._poll.schedule({ interval, phase: 'refreshed' });
      }
    }
  }

  private _set(patch: Partial<IModelsState>): void {
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private readonly _poll: Poll;
  private readonly _stream = new JobStream();
  private _seq = 0;
  private _state: IModelsState = {
    models: [],
    total: 0,
    counts: null,
    jobs: [],
    query: EMPTY_QUERY,
    loading: false,
    error: null
  };
  private readonly _stateChanged = new Signal<this, IModelsState>(this);
  private readonly _jobFinished = new Signal<this, IJob>(this);
}
