import { Signal } from '@lumino/signaling';

import { IRunPageApi, RunPageModel } from '../../experiments/runPageModel';
import { RunStream } from '../../experiments/stream';
import { StreamMessage } from '../../experiments/types';
import { IRun } from '../../tokens';
import { refused } from '../http';

/** Stands for the live stream: the test pushes messages. */
class FakeStream {
  readonly message = new Signal<this, StreamMessage>(this);
  readonly reconnected = new Signal<this, void>(this);
  readonly statusChanged = new Signal<this, string>(this);
  status = 'live';
  async subscribe(): Promise<void> {
    // Subscribed at once.
  }
  dispose(): void {
    Signal.clearData(this);
  }
}

const RUN = {
  id: 'r1',
  name: 'first',
  project: 'p',
  status: 'running',
  latest_metrics: {},
  updated_at: '2026-01-01T00:00:00Z'
} as unknown as IRun;

function fakeApi(overrides: Partial<IRunPageApi> = {}): IRunPageApi & { calls: string[] } {
  const calls: string[] = [];
  const api: IRunPageApi = {
    getRun: async () => (calls.push('getRun'), RUN),
    queryMetrics: async () => ({ x: 'step', series: [], missing: [], starts: {} }),
    getProject: async () => (calls.push('getProject'), { name: 'p', role: 'edit' }) as never,
    listArtifacts: async () => (calls.push('listArtifacts'), { artifacts: [{ name: 'model.pkl' }] }) as never,
    getRunLinks: async () => (calls.push('getRunLinks'), { versions: [], datasets: [] }) as never,
    patchRun: async (_, change) => ({ ...RUN, ...change, updated_at: '2026-01-01T00:01:00Z' }),
    stopRun: async () => ({ ...RUN, stop_requested: true, updated_at: '2026-01-01T00:02:00Z' }),
    deleteRun: async () => undefined,
    ...overrides
  };
  return Object.assign(api, { calls });
}

/** Let the compare model's throttled `changed` (at most ten a second) fire. */
const redraw = () => new Promise(resolve => setTimeout(resolve, 150));

describe('RunPageModel', () => {
  let model: RunPageModel;
  afterEach(() => model.dispose());

  it('loads the run, its artifacts and links, and the caller’s role once', async () => {
    const api = fakeApi();
    model = new RunPageModel('r1', { api, stream: new FakeStream() as unknown as RunStream });
    await model.load(500);
    await redraw();
    expect(model.run?.name).toBe('first');
    expect(model.artifacts).toEqual([{ name: 'model.pkl' }]);
    expect(model.role).toBe('edit');
    expect(model.canEdit).toBe(true);
    expect(model.canDelete).toBe(false);
    await model.reload();
    expect(api.calls.filter(c => c === 'getProject')).toHaveLength(1);
  });

  it('applies an edit’s answer and announces the change', async () => {
    model = new RunPageModel('r1', { api: fakeApi(), stream: new FakeStream() as unknown as RunStream });
    await model.load(500);
    const before = model.version;
    expect(await model.edit({ name: 'renamed' })).toBe(true);
    await redraw();
    expect(model.run?.name).toBe('renamed');
    expect(model.version).toBeGreaterThan(before);
    expect(model.busy).toBe(false);
  });

  it("keeps a refused action's message apart from load errors", async () => {
    const api = fakeApi({ stopRun: async () => Promise.reject(refused(403, 'forbidden', 'only editors may stop a run')) });
    model = new RunPageModel('r1', { api, stream: new FakeStream() as unknown as RunStream });
    await model.load(500);
    expect(await model.stop()).toBe(false);
    expect(model.actionError).toBe('only editors may stop a run');
    expect(model.error).toBeNull();
  });

  it('shows a failed load of the extras, and is gone once deleted', async () => {
    const api = fakeApi({ listArtifacts: async () => Promise.reject(refused(500, 'internal', 'artifact store offline')) });
    model = new RunPageModel('r1', { api, stream: new FakeStream() as unknown as RunStream });
    await model.load(500);
    expect(model.error).toBe('artifact store offline');
    const deleted = jest.fn();
    model.deletedSignal.connect(deleted);
    expect(await model.delete()).toBe(true);
    expect(deleted).toHaveBeenCalled();
    expect(model.deleted).toBe(true);
    expect(model.run).toBeNull();
  });

  it('reloads artifacts and links once when the streamed run ends', async () => {
    const stream = new FakeStream();
    const api = fakeApi();
    model = new RunPageModel('r1', { api, stream: stream as unknown as RunStream });
    await model.load(500);
    await redraw();
    const before = api.calls.filter(c => c === 'listArtifacts').length;
    stream.message.emit({ type: 'run', run: { ...RUN, status: 'finished', updated_at: '2026-01-01T00:03:00Z' } } as never);
    await redraw();
    await redraw();
    expect(model.run?.status).toBe('finished');
    expect(api.calls.filter(c => c === 'listArtifacts').length).toBe(before + 1);
  });
});
