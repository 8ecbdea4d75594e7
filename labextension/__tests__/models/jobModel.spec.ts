import { JobModel } from '../../models/jobModel';
import { IJob } from '../../models/types';
import { refused } from '../http';

const job = (state: string, result: unknown = null) => ({ id: 'j1', state, result }) as unknown as IJob;

describe('JobModel', () => {
  it('follows a submitted job until it ends, then announces it once', async () => {
    const states = ['running', 'finished'];
    const getJob = jest.fn(async () => job(states.shift() ?? 'finished', { evaluation_id: 7 }));
    const model = new JobModel({ api: { getJob }, interval: 10 });
    const finished: IJob[] = [];
    model.finished.connect((_, j) => finished.push(j));
    await model.submit(async () => job('queued'));
    expect(model.active).toBe(true);
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(model.state.job?.state).toBe('finished');
    expect(model.active).toBe(false);
    expect(finished).toEqual([job('finished', { evaluation_id: 7 })]);
    const calls = getJob.mock.calls.length;
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(getJob.mock.calls.length).toBe(calls);
    model.dispose();
  });

  it("shows a refused submission's message and forgets the job when cleared", async () => {
    const model = new JobModel({ api: { getJob: jest.fn() } });
    await model.submit(() => Promise.reject(refused(422, 'invalid', "column 'label' is not in dataset 'iris'")));
    expect(model.state).toMatchObject({ job: null, error: "column 'label' is not in dataset 'iris'" });
    model.clear();
    expect(model.state.error).toBeNull();
    model.dispose();
  });
});
