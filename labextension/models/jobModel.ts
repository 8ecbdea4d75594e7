/**
 * One submitted job, followed until it ends: polled every second while it is queued or
 * running and the page is visible (a job without a run has no stream updates), then
 * announced through {@link JobModel.finished}.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import * as api from './api';
import { ACTIVE_STATES, IJob } from './types';

const POLL_MS = 1000;

export interface IJobState extends IPollingState {
  /** The job as last sent (null before a submission, or once cleared). */
  job: IJob | null;
}

export class JobModel extends PollingModel<IJobState> {
  constructor(options: { api?: Pick<typeof api, 'getJob'>; interval?: number } = {}) {
    super(
      { job: null, loading: false, error: null },
      { name: 'job', interval: options.interval ?? POLL_MS, maxBackoff: 30 * 1000, autoPoll: false }
    );
    this._api = options.api ?? api;
  }

  /** Emitted once with the job when it reaches a final state. */
  get finished(): ISignal<this, IJob> {
    return this._finished;
  }

  /** Whether the job is queued or running. */
  get active(): boolean {
    const job = this.state.job;
    return job !== null && ACTIVE_STATES.includes(job.state);
  }

  /** Submit a job with `start` and follow it; a refusal lands in `state.error`. */
  async submit(start: () => Promise<IJob>): Promise<void> {
    this.setState({ error: null });
    try {
      this.setState({ job: await start() });
    } catch (error) {
      this.setState({ error: errorMessage(error) });
      return;
    }
    void this.poll.start();
  }

  /** Forget the job (another version is shown). */
  clear(): void {
    void this.poll.stop();
    this.setState({ job: null, error: null });
  }

  protected standby(): boolean | Poll.Standby {
    return !this.active || 'when-hidden';
  }

  protected async loadState(): Promise<Partial<IJobState>> {
    const job = this.state.job;
    return job ? { job: await this._api.getJob(job.id) } : {};
  }

  protected afterLoad(previous: IJobState): void {
    const before = previous.job;
    const job = this.state.job;
    if (job && before && before.id === job.id && ACTIVE_STATES.includes(before.state) && !this.active) {
      void this.poll.stop();
      this._finished.emit(job);
    }
  }

  private readonly _api: Pick<typeof api, 'getJob'>;
  private readonly _finished = new Signal<this, IJob>(this);
}
