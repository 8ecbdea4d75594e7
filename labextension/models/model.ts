/**
 * State of the Models sidebar: the filtered catalogue with its dashboard counts and the
 * recent jobs. The {@link PollingModel}'s poll reloads both (fast while a job is queued or running, slow
 * otherwise, backing off on failure, standing by while hidden); job progress also
 * arrives live from the stream between polls.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import { abortJob, listJobs, listModels } from './api';
import { JobStream } from './jobStream';
import { ACTIVE_STATES, ICounts, IJob, IModel, IModelsQuery } from './types';

const IDLE_INTERVAL_MS = 30 * 1000;
const ACTIVE_INTERVAL_MS = 2 * 1000;
const JOBS_SHOWN = 15;

export interface IModelsState extends IPollingState {
  models: IModel[];
  total: number;
  counts: ICounts | null;
  jobs: IJob[];
  query: IModelsQuery;
}

export const EMPTY_QUERY: IModelsQuery = { q: '', tag: '', stage: '', type: '', developer: '' };

export class ModelsModel extends PollingModel<IModelsState> {
  constructor(options: { autoPoll?: boolean; stream?: JobStream } = {}) {
    super(
      {
        models: [],
        total: 0,
        counts: null,
        jobs: [],
        query: EMPTY_QUERY,
        loading: false,
        error: null
      },
      { name: 'models', interval: IDLE_INTERVAL_MS, autoPoll: options.autoPoll }
    );
    this._stream = options.stream ?? new JobStream();
    this._stream.job.connect((_, job) => this.mergeJob(job));
  }

  /** Emitted when a job reaches a final state (views of its model may reload). */
  get jobFinished(): ISignal<this, IJob> {
    return this._jobFinished;
  }

  setQuery(patch: Partial<IModelsQuery>): void {
    this.setState({ query: { ...this.state.query, ...patch } });
    void this.refresh();
  }

  async abort(job: IJob): Promise<void> {
    try {
      this.mergeJob(await abortJob(job.id));
    } catch (error) {
      this.setState({ error: errorMessage(error) });
    }
  }

  /** Put a job (new, or a newer state of a listed one) at its place in the list. */
  mergeJob(job: IJob): void {
    const before = this.state.jobs.find(j => j.id === job.id);
    if (before && before.updated_at > job.updated_at) {
      return;
    }
    const others = this.state.jobs.filter(j => j.id !== job.id);
    const jobs = [job, ...others]
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, JOBS_SHOWN);
    this.setState({ jobs });
    this._stream.follow([job]);
    this._pace();
    const wasActive = !before || ACTIVE_STATES.includes(before.state);
    if (wasActive && !ACTIVE_STATES.includes(job.state)) {
      this._jobFinished.emit(job);
      void this.refresh();
    }
  }

  dispose(): void {
    this._stream.dispose();
    super.dispose();
  }

  protected async loadState(): Promise<Partial<IModelsState>> {
    const [page, jobs] = await Promise.all([listModels(this.state.query), listJobs(JOBS_SHOWN)]);
    return { models: page.models, total: page.total, counts: page.counts, jobs: jobs.jobs };
  }

  protected afterLoad(previous: IModelsState): void {
    const jobs = this.state.jobs;
    const finished = jobs.filter(job => {
      const before = previous.jobs.find(j => j.id === job.id);
      return before && ACTIVE_STATES.includes(before.state) && !ACTIVE_STATES.includes(job.state);
    });
    this._stream.follow(jobs.filter(j => ACTIVE_STATES.includes(j.state)));
    finished.forEach(job => this._jobFinished.emit(job));
    this._pace();
  }

  /** Poll every few seconds while a job is active, else every half minute. */
  private _pace(): void {
    const active = this.state.jobs.some(j => ACTIVE_STATES.includes(j.state));
    const interval = active ? ACTIVE_INTERVAL_MS : IDLE_INTERVAL_MS;
    if (this.poll.frequency.interval !== interval) {
      this.poll.frequency = { ...this.poll.frequency, interval };
      if (active) {
        // The tick already pending was set with the idle interval: a job without a run
        // (a sweep) has no stream updates, so its first state would come that late.
        void this.poll.schedule({ interval, phase: 'refreshed' });
      }
    }
  }

  private readonly _stream: JobStream;
  private readonly _jobFinished = new Signal<this, IJob>(this);
}
