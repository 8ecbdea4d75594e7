/**
 * Live job updates: the stream pushes `{"type": "job", job}` to connections subscribed to
 * the job's run, so the Experiments {@link RunStream} (reconnecting, resubscribing) is
 * reused and only its `job` messages are read here.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { RunStream } from '../experiments/stream';
import { IJob } from './types';

interface IJobMessage {
  type: 'job';
  job: IJob;
}

function isJobMessage(message: unknown): message is IJobMessage {
  const m = message as Partial<IJobMessage> | null;
  return !!m && m.type === 'job' && typeof m.job === 'object' && m.job !== null;
}

export class JobStream {
  constructor(stream: RunStream = new RunStream()) {
    this._stream = stream;
    this._stream.message.connect((_, message) => {
      const received: unknown = message;
      if (isJobMessage(received)) {
        this._job.emit(received.job);
      }
    });
  }

  /** Every job update pushed for a followed run. */
  get job(): ISignal<this, IJob> {
    return this._job;
  }

  /** Follow the runs of these jobs (jobs without a run yet are caught by polling). */
  follow(jobs: IJob[]): void {
    const runs = jobs
      .map(j => j.run_id)
      .filter((id): id is string => !!id && !this._runs.has(id));
    if (runs.length > 0) {
      runs.forEach(id => this._runs.add(id));
      void this._stream.subscribe(runs);
    }
  }

  dispose(): void {
    this._stream.dispose();
    Signal.clearData(this);
  }

  private readonly _stream: RunStream;
  private readonly _runs = new Set<string>();
  private readonly _job = new Signal<this, IJob>(this);
}
