import { Signal } from '@lumino/signaling';

import { CompareModel, ICompareApi, legendOrder } from '../../experiments/compareModel';
import { withEdgeAnchors } from '../../experiments/edgeAnchors';
import { RunStream } from '../../experiments/stream';
import { ISeriesQuery, ISeriesQueryResult, StreamMessage } from '../../experiments/types';
import { IRun } from '../../tokens';

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

function run(id: string): IRun {
  return {
    id,
    name: `run-${id}`,
    project: 'p',
    status: 'finished',
    params: {},
    latest_metrics: {},
    updated_at: '2026-01-01T00:00:00Z'
  } as unknown as IRun;
}

/** Base64 of little-endian int64 / float64 arrays, as the server's `base64-le` answer. */
function b64(values: number[], int = false): string {
  const buffer = new ArrayBuffer(values.length * 8);
  const view = new DataView(buffer);
  values.forEach((v, i) =>
    int ? view.setBigInt64(i * 8, BigInt(v), true) : view.setFloat64(i * 8, v, true)
  );
  return Buffer.from(new Uint8Array(buffer)).toString('base64');
}

interface IFake extends ICompareApi {
  calls: { getRun: string[]; getRuns: string[][]; queries: ISeriesQuery[] };
}

/** Runs a, b (c is not readable); each has `loss` over steps 0..9 (its values by run). */
function fakeApi(options: { gate?: () => Promise<void> } = {}): IFake {
  const calls = { getRun: [] as string[], getRuns: [] as string[][], queries: [] as ISeriesQuery[] };
  return {
    calls,
    getRun: async id => (calls.getRun.push(id), run(id)),
    getRuns: async ids => (calls.getRuns.push([...ids]), ids.filter(id => id !== 'c').map(run)),
    queryMetrics: async (query): Promise<ISeriesQueryResult> => {
      calls.queries.push(query);
      await options.gate?.();
      const lo = query.min_x ?? 0;
      const hi = query.max_x ?? 9;
      const steps = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
      const series = query.runs
        .filter(id => id !== 'c')
        .map(id => ({
          run: id,
          key: 'loss',
          steps: b64(steps, true),
          values: b64(steps.map(s => (s === 5 && id === 'b' ? NaN : s * (id === 'a' ? 1 : 2)))),
          downsampled: false,
          total: 10,
          last_step: 9,
          band: null
        }));
      return { x: query.x ?? 'step', encoding: 'base64-le', series, missing: [], starts: {} } as never;
    }
  };
}

describe('CompareModel', () => {
  let model: CompareModel;
  afterEach(() => model.dispose());

  const make = (api: ICompareApi) =>
    (model = new CompareModel(['a', 'b', 'c'], {
      api,
      stream: new FakeStream() as unknown as RunStream
    }));

  it('lists the runs in one request and decodes base64 columns into typed arrays', async () => {
    const api = fakeApi();
    make(api);
    await model.load(300);
    expect(api.calls.getRuns).toEqual([['a', 'b', 'c']]);
    expect(api.calls.getRun).toEqual([]);
    expect(api.calls.queries).toHaveLength(1);
    expect(api.calls.queries[0]).toMatchObject({ runs: ['a', 'b', 'c'], max_points: 300, encoding: 'base64-le' });
    expect(model.runs.map(r => r.id)).toEqual(['a', 'b']);
    expect(model.missing).toEqual(['c']);
    const b = model.series('loss').get('b')!;
    expect(b.xs).toBeInstanceOf(Float64Array);
    expect(Array.from(b.xs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(b.ys[4]).toBe(8);
    expect(Number.isNaN(b.ys[5])).toBe(true);
    expect(b.last).toBe(18);
    expect(model.loadMs).not.toBeNull();
  });

  it('re-fetches only the series on a zoom and on an axis change', async () => {
    const api = fakeApi();
    make(api);
    await model.load(300);
    await model.zoom([2, 4], 120);
    expect(api.calls.getRuns).toHaveLength(1);
    expect(api.calls.queries).toHaveLength(2);
    expect(api.calls.queries[1]).toMatchObject({ min_x: 2, max_x: 4, max_points: 120 });
    expect(Array.from(model.series('loss').get('a')!.xs)).toEqual([2, 3, 4]);
    expect(model.zoomMs).not.toBeNull();
    await model.setXAxis('wall');
    expect(api.calls.getRuns).toHaveLength(1);
    expect(api.calls.queries[2]).toMatchObject({ x: 'wall', timestamps: true });
    expect(api.calls.queries[2].min_x).toBeUndefined();
    // A reload (the button, a lost stream) brings the runs again.
    await model.reload();
    expect(api.calls.getRuns).toHaveLength(2);
  });

  it('is loading during a zoom and fetches once more for what was asked meanwhile', async () => {
    let release: () => void = () => undefined;
    let gated = false;
    const api = fakeApi({
      gate: () => (gated ? new Promise<void>(resolve => (release = resolve)) : Promise.resolve())
    });
    make(api);
    await model.load(300);
    gated = true;
    const first = model.zoom([1, 8], 100);
    expect(model.loading).toBe(true);
    const second = model.zoom([3, 5], 100);
    gated = false;
    release();
    await Promise.all([first, second]);
    expect(model.loading).toBe(false);
    // The zoom asked while the first was in flight is the one in place.
    expect(api.calls.queries.map(q => [q.min_x, q.max_x])).toEqual([
      [undefined, undefined],
      [1, 8],
      [3, 5]
    ]);
    expect(Array.from(model.series('loss').get('a')!.xs)).toEqual([3, 4, 5]);
    expect(api.calls.getRuns).toHaveLength(1);
  });

  it('fetches again at a higher resolution only when much wider', async () => {
    const api = fakeApi();
    make(api);
    await model.load(300);
    await model.ensureResolution(400);
    expect(api.calls.queries).toHaveLength(1);
    await model.ensureResolution(600);
    expect(api.calls.queries).toHaveLength(2);
    expect(api.calls.queries[1].max_points).toBe(600);
    expect(api.calls.getRuns).toHaveLength(1);
  });

  it('fetches without waiting for the subscription, then catches live runs up by cursor', async () => {
    const api = fakeApi();
    const running = { ...api, getRuns: async (ids: readonly string[]) => ids.filter(id => id !== 'c').map(id => ({ ...run(id), status: 'running' }) as IRun) };
    const stream = new FakeStream();
    let confirm: () => void = () => undefined;
    stream.subscribe = () => new Promise<void>(resolve => (confirm = resolve));
    model = new CompareModel(['a', 'b', 'c'], { api: running, stream: stream as unknown as RunStream });
    const loaded = model.load(300);
    // The series are asked for before the subscription is confirmed.
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(api.calls.queries).toHaveLength(1);
    confirm();
    await loaded;
    // Then one cursor query for what may have been logged in between.
    expect(api.calls.queries).toHaveLength(2);
    expect(api.calls.queries[1].after_step).toEqual({ a: { loss: 9 }, b: { loss: 9 } });
  });

  it('needs no catch-up when every run has finished', async () => {
    const api = fakeApi();
    make(api);
    await model.load(300);
    expect(api.calls.queries).toHaveLength(1);
  });

  it('says so when none of the runs can be read', async () => {
    const api = fakeApi();
    model = new CompareModel(['c'], { api, stream: new FakeStream() as unknown as RunStream });
    await model.load(300);
    expect(model.error).toMatch(/None of the 1 runs could be read/);
  });

  it('falls back to one GET per run without a listing (a run page)', async () => {
    const api = fakeApi();
    make({ getRun: api.getRun, queryMetrics: api.queryMetrics });
    await model.load(300);
    expect(api.calls.getRun.sort()).toEqual(['a', 'b', 'c']);
  });
});

/**
 * `count` runs r0, r1, …, all logging `loss`, the first 5 also `rare(x)`; every series
 * downsampled, its band answered as the query asks (`band`: all, none or those keys).
 */
function bandApi(count: number): IFake & { runs: string[] } {
  const runs = Array.from({ length: count }, (_, i) => `r${i}`);
  const calls = { getRun: [] as string[], getRuns: [] as string[][], queries: [] as ISeriesQuery[] };
  const wanted = (query: ISeriesQuery, key: string) =>
    query.keys.some(k => (/[*+?[\](){}|^$\\]/.test(k) ? new RegExp(`^(?:${k})$`).test(key) : k === key));
  return {
    runs,
    calls,
    getRun: async id => (calls.getRun.push(id), run(id)),
    getRuns: async ids => (calls.getRuns.push([...ids]), ids.map(run)),
    queryMetrics: async (query): Promise<ISeriesQueryResult> => {
      calls.queries.push(query);
      const series = query.runs.flatMap((id, i) =>
        ['loss', 'rare(x)']
          .filter(key => wanted(query, key) && (key === 'loss' || i < 5))
          .map(key => {
            const band = query.band ?? true;
            const banded = band === true || (Array.isArray(band) && band.includes(key));
            return {
              run: id,
              key,
              steps: b64([0, 50, 99], true),
              values: b64([1, 0.5, 0.2]),
              downsampled: true,
              total: 100,
              last_step: 99,
              band: banded ? { min: b64([0.9, 0.4, 0.1]), max: b64([1, 0.6, 0.3]) } : null
            };
          })
      );
      return { x: 'step', encoding: 'base64-le', series, missing: [], starts: {} } as never;
    }
  };
}

describe('CompareModel bands', () => {
  let model: CompareModel;
  afterEach(() => model.dispose());
  const make = (api: ReturnType<typeof bandApi>) =>
    (model = new CompareModel(api.runs, { api, stream: new FakeStream() as unknown as RunStream }));
  const hasBand = (key: string, run: string) => model.series(key).get(run)!.band !== null;

  it('fetches the bands of every series while at most 20 runs are compared', async () => {
    const api = bandApi(20);
    make(api);
    await model.load(300);
    expect(api.calls.queries.map(q => q.band)).toEqual([true]);
    expect(hasBand('loss', 'r19') && hasBand('rare(x)', 'r0')).toBe(true);
  });

  it('leaves out the bands of panels with more than 20 lines, then fetches those of the others', async () => {
    const api = bandApi(30);
    make(api);
    await model.load(300);
    // Keys unknown at first: no bands; `rare(x)` has 5 lines, so its series again, banded.
    expect(api.calls.queries.map(q => [q.keys, q.band])).toEqual([
      [['.*'], false],
      [['rare\\(x\\)'], true]
    ]);
    expect(hasBand('loss', 'r0')).toBe(false);
    expect(hasBand('rare(x)', 'r0') && hasBand('rare(x)', 'r4')).toBe(true);
    expect(model.series('loss').size).toBe(30);
    // A zoom asks once, for the bands of the panels that draw them.
    await model.zoom([10, 60], 200);
    expect(api.calls.queries.slice(2).map(q => [q.keys, q.band])).toEqual([[['.*'], ['rare(x)']]]);
    expect(hasBand('loss', 'r0')).toBe(false);
    expect(hasBand('rare(x)', 'r3')).toBe(true);
  });

  it('fetches the bands when hiding runs leaves a panel 20 lines or fewer', async () => {
    const api = bandApi(30);
    make(api);
    await model.load(300);
    await model.setHidden(new Set(['r20', 'r21', 'r22', 'r23', 'r24', 'r25', 'r26', 'r27', 'r28']));
    expect(api.calls.queries).toHaveLength(2); // 21 shown: still more than 20 lines
    await model.setHidden(new Set(['r20', 'r21', 'r22', 'r23', 'r24', 'r25', 'r26', 'r27', 'r28', 'r29']));
    expect(api.calls.queries).toHaveLength(3);
    expect(api.calls.queries[2].band).toBe(true);
    expect(hasBand('loss', 'r0')).toBe(true);
    // Shown again: the bands held are enough, nothing fetched.
    await model.setHidden(new Set());
    expect(api.calls.queries).toHaveLength(3);
  });
});

describe('legendOrder', () => {
  it('lists the shown runs before the hidden ones, each in the given order', () => {
    const runs = Array.from({ length: 30 }, (_, i) => `r${i}`);
    const hidden = new Set(runs.slice(0, 22));
    const order = legendOrder(runs, r => hidden.has(r));
    expect(order.slice(0, 8)).toEqual(runs.slice(22));
    expect(order.slice(8)).toEqual(runs.slice(0, 22));
  });
});

describe('withEdgeAnchors', () => {
  // A sparse series: val/lin every 500 steps, value step / 1000.
  const steps = Float64Array.from({ length: 21 }, (_, i) => i * 500);
  const overview = { xs: steps, ys: steps.map(s => s / 1000), ts: new Float64Array(0) };
  const answer = (xs: number[]) => ({
    steps: Float64Array.from(xs),
    values: Float64Array.from(xs, s => s / 1000),
    timestamps: null
  });

  it('anchors a zoom between two points on the overview points either side', () => {
    const out = withEdgeAnchors(answer([]), overview, [5810, 5955], 'step', undefined);
    expect(Array.from(out.steps)).toEqual([5500, 6000]);
    expect(Array.from(out.values)).toEqual([5.5, 6]);
  });

  it('extends a zoom answer to the nearest points outside the window', () => {
    const out = withEdgeAnchors(answer([5500, 6000, 6500]), overview, [5176, 6588], 'step', undefined);
    expect(Array.from(out.steps)).toEqual([5000, 5500, 6000, 6500, 7000]);
    expect(Array.from(out.values)).toEqual([5, 5.5, 6, 6.5, 7]);
  });

  it('adds nothing where the answer has points at the edges, or nothing lies outside', () => {
    const edges = answer([5000, 5500, 6000]);
    expect(withEdgeAnchors(edges, overview, [5000, 6000], 'step', undefined)).toBe(edges);
    const whole = answer([0, 10000]);
    expect(withEdgeAnchors(whole, overview, [-5, 10005], 'step', undefined)).toBe(whole);
  });

  it('skips gaps of the overview and anchors the time axes by wall time', () => {
    const ov = {
      xs: Float64Array.from([0, 1, 2, 3]),
      ys: Float64Array.from([1, NaN, 3, 4]),
      ts: Float64Array.from([100, 110, 120, 130])
    };
    const zoomed = { steps: Float64Array.from([2]), values: Float64Array.from([3]), timestamps: Float64Array.from([120]) };
    const out = withEdgeAnchors(zoomed, ov, [12, 25], 'relative', 100);
    expect(Array.from(out.steps)).toEqual([0, 2, 3]);
    expect(Array.from(out.timestamps!)).toEqual([100, 120, 130]);
  });
});
