import { Signal } from '@lumino/signaling';

import { JobStream } from '../../models/jobStream';
import { EMPTY_QUERY, ModelsModel } from '../../models/model';
import { IJob } from '../../models/types';
import { called, refused, route, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const job = (id: string, state: string, at = '2026-01-01T00:00:00Z', run_id: string | null = null) =>
  ({ id, state, created_at: at, updated_at: at, run_id }) as unknown as IJob;

/** Stands for the live stream: the test pushes job updates, follows are recorded. */
class FakeStream {
  readonly job = new Signal<this, IJob>(this);
  followed: string[] = [];
  follow(jobs: IJob[]): void {
    this.followed.push(...jobs.map(j => j.id));
  }
  dispose(): void {
    Signal.clearData(this);
  }
}

const PAGE = { models: [{ name: 'iris' }], total: 1, counts: { models: 1 } };

describe('ModelsModel', () => {
  let stream: FakeStream;
  let model: ModelsModel;
  beforeEach(() => {
    stream = new FakeStream();
    model = new ModelsModel({ autoPoll: false, stream: stream as unknown as JobStream });
  });
  afterEach(() => model.dispose());

  it('loads the filtered catalogue and the recent jobs, following the active ones', async () => {
    serve({
      'GET models?limit=200&q=iris&stage=production': PAGE,
      'GET jobs?limit=15': { jobs: [job('j1', 'running'), job('j2', 'finished')] }
    });
    model.setQuery({ q: ' iris', stage: 'production' });
    await model.refresh();
    expect(model.state).toMatchObject({ total: 1, counts: { models: 1 }, error: null });
    expect(model.state.query).toEqual({ ...EMPTY_QUERY, q: ' iris', stage: 'production' });
    expect(model.state.jobs.map(j => j.id)).toEqual(['j1', 'j2']);
    expect(stream.followed).toEqual(['j1']);
  });

  it('announces a job that ended between two loads', async () => {
    serve({ 'GET models?limit=200': PAGE, 'GET jobs?limit=15': { jobs: [job('j1', 'running')] } });
    await model.refresh();
    const finished: string[] = [];
    model.jobFinished.connect((_, j) => finished.push(j.id));
    route({ 'GET jobs?limit=15': { jobs: [job('j1', 'finished', '2026-01-01T00:01:00Z')] } });
    await model.refresh();
    expect(finished).toEqual(['j1']);
  });

  it('merges pushed job states, newest first, ignoring stale ones', async () => {
    serve({ 'GET models?limit=200': PAGE, 'GET jobs?limit=15': { jobs: [] } });
    stream.job.emit(job('old', 'queued', '2026-01-01T00:00:00Z'));
    stream.job.emit(job('new', 'queued', '2026-01-02T00:00:00Z'));
    expect(model.state.jobs.map(j => j.id)).toEqual(['new', 'old']);
    const later = { ...job('new', 'running', '2026-01-02T00:00:00Z'), updated_at: '2026-01-02T00:05:00Z' };
    stream.job.emit(later);
    stream.job.emit(job('new', 'queued', '2026-01-02T00:00:00Z'));
    expect(model.state.jobs[0].state).toBe('running');
  });

  it('reloads when a pushed job ends, and shows a refused abort', async () => {
    serve({
      'GET models?limit=200': PAGE,
      'GET jobs?limit=15': { jobs: [] },
      'POST jobs/j1/abort': refused(409, 'conflict', 'job j1 already finished')
    });
    const finished: string[] = [];
    model.jobFinished.connect((_, j) => finished.push(j.id));
    stream.job.emit(job('j1', 'running'));
    stream.job.emit({ ...job('j1', 'failed'), updated_at: '2026-01-01T00:09:00Z' });
    expect(finished).toEqual(['j1']);
    await model.abort(job('j1', 'running'));
    expect(model.state.error).toBe('job j1 already finished');
    expect(called()).toContain('GET jobs?limit=15');
  });
});
