import { RunsTableModel } from '../../../experiments/runsTable/model';
import { ITableQuery } from '../../../experiments/runsTable/api';
import { IRun } from '../../../tokens';

jest.mock('../../../request', () => jest.requireActual('../../http').mockedRequest());

function runs(offset: number, n: number): IRun[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `r${offset + i}`,
    name: `run ${offset + i}`,
    params: { lr: 0.1 },
    latest_metrics: { loss: i },
    summary: {},
    tags: []
  })) as unknown as IRun[];
}

function fakeApi(total: number) {
  const calls: Array<{ offset: number; group?: unknown; query: ITableQuery }> = [];
  return {
    calls,
    api: {
      listRunsPage: jest.fn(async (query: ITableQuery, offset: number, limit: number, group?: unknown) => {
        calls.push({ offset, group, query });
        return { runs: runs(offset, Math.max(0, Math.min(limit, total - offset))), total };
      }),
      listGroups: jest.fn(async () => ({
        by: 'params.lr',
        metric: 'loss',
        total,
        groups: [{ key: '0.1', value: 0.1, count: total, metric: { count: total, mean: 1, min: 0, max: 2 } }]
      })),
      listRunIds: jest.fn(async () => ({ ids: ['r1', 'r2', 'r3'], total: 3, truncated: false }))
    }
  };
}

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
}

describe('RunsTableModel', () => {
  it('loads the first page, then only the pages of the rows asked for', async () => {
    const { api, calls } = fakeApi(10000);
    const model = new RunsTableModel('p', { api: api as any, autoPoll: false, storage: memoryStorage() });
    await model.refresh();
    expect(model.state.total).toBe(10000);
    expect(calls.map(c => c.offset)).toEqual([0]);
    model.ensureRows(undefined, 5010, 5040);
    model.ensureRows(undefined, 5010, 5040);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(calls.map(c => c.offset)).toEqual([0, 5000]);
    expect(model.row('', 5010)?.id).toBe('r5010');
    expect(model.row('', 7000)).toBeUndefined();
    expect(model.state.columns).toEqual(['status', 'created', 'duration', 'params.lr', 'metrics.loss']);
    expect(model.state.metric).toBe('loss');
    model.dispose();
  });

  it('keeps the column choice per project', async () => {
    const storage = memoryStorage();
    const { api } = fakeApi(3);
    const model = new RunsTableModel('p', { api: api as any, autoPoll: false, storage });
    await model.refresh();
    model.setColumns(['params.lr']);
    model.dispose();
    const again = new RunsTableModel('p', { api: api as any, autoPoll: false, storage });
    await again.refresh();
    expect(again.state.columns).toEqual(['params.lr']);
    const other = new RunsTableModel('q', { api: api as any, autoPoll: false, storage });
    await other.refresh();
    expect(other.state.columns).not.toEqual(['params.lr']);
    again.dispose();
    other.dispose();
  });

  it('sorts on the server, flipping the direction on the same column', async () => {
    const { api, calls } = fakeApi(3);
    const model = new RunsTableModel('p', { api: api as any, autoPoll: false, storage: memoryStorage() });
    await model.sortBy('params.lr');
    expect(calls[calls.length - 1].query).toMatchObject({ orderBy: 'params.lr', desc: true });
    await model.sortBy('params.lr');
    expect(calls[calls.length - 1].query).toMatchObject({ orderBy: 'params.lr', desc: false });
    model.dispose();
  });

  it('groups, loads an expanded group’s runs by its key, selects all matching', async () => {
    const { api, calls } = fakeApi(5);
    const model = new RunsTableModel('p', { api: api as any, autoPoll: false, storage: memoryStorage() });
    await model.setGroupBy('params.lr');
    expect(model.state.groups?.groups).toHaveLength(1);
    model.toggleGroup('0.1');
    expect(model.state.expanded.has('g:0.1')).toBe(true);
    model.ensureRows('0.1', 0, 4);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(calls[calls.length - 1].group).toEqual({ by: 'params.lr', query: { group: '0.1' } });
    expect(model.row('g:0.1', 4)?.id).toBe('r4');
    await model.selectAllMatching();
    expect([...model.state.selected]).toEqual(['r1', 'r2', 'r3']);
    model.dispose();
  });
});
