import { minmaxIndices, plotValue, SeriesBuffer } from '../../experiments/series';

const list = (column: ArrayLike<number>) => Array.from(column);

describe('plotValue', () => {
  it('draws finite numbers and leaves gaps for the rest', () => {
    expect(plotValue(1.5)).toBe(1.5);
    expect(plotValue('NaN')).toBeNull();
    expect(plotValue('Infinity')).toBeNull();
    expect(plotValue(null)).toBeNull();
  });
});

describe('minmaxIndices', () => {
  it('keeps everything that fits', () => {
    expect(minmaxIndices([1, 2, 3], 5)).toEqual([0, 1, 2]);
  });

  it('keeps the ends and each bucket’s minimum and maximum, in order', () => {
    const values = [0, 5, 1, 9, 2, 3, 8, 4, 7, 6];
    const kept = minmaxIndices(values, 6);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(9);
    expect(kept.length).toBeLessThanOrEqual(6);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    expect(kept).toContain(3); // the 9
  });

  it('keeps a gap visible', () => {
    const values = [1, 2, null, 3, 4, 5, 6, 7, 8, 9];
    expect(minmaxIndices(values, 4)).toContain(2);
    // NaN is a gap in typed columns, kept the same way.
    expect(minmaxIndices(Float64Array.from([1, 2, NaN, 3, 4, 5, 6, 7, 8, 9]), 4)).toContain(2);
  });

  it('degrades to the ends for tiny budgets', () => {
    expect(minmaxIndices([1, 2, 3, 4, 5], 2)).toEqual([0, 4]);
    expect(minmaxIndices([1, 2, 3, 4, 5], 0)).toEqual([]);
  });
});

describe('SeriesBuffer', () => {
  it('resets from a fetched series and appends only newer pushed points', () => {
    const buffer = new SeriesBuffer(100);
    buffer.reset([1, 2, 3], [0.5, 'NaN', 0.25], 10);
    expect(list(buffer.ys)).toEqual([0.5, NaN, 0.25]);
    expect(buffer.ys).toBeInstanceOf(Float64Array);
    expect(buffer.total).toBe(10);
    expect(buffer.lastStep).toBe(3);
    expect(buffer.append({ steps: [2, 3, 4, 5], values: [9, 9, 0.2, 0.1] }, buffer.lastStep)).toBe(2);
    expect(list(buffer.xs)).toEqual([1, 2, 3, 4, 5]);
    expect(buffer.last).toBe(0.1);
    expect(buffer.total).toBe(12);
  });

  it('thins past twice its cap', () => {
    const buffer = new SeriesBuffer(10);
    const steps = Array.from({ length: 21 }, (_, i) => i);
    buffer.append({ steps, values: steps.map(s => Math.sin(s)) });
    expect(buffer.xs.length).toBeLessThanOrEqual(10);
    expect(buffer.xs[0]).toBe(0);
    expect(buffer.xs[buffer.xs.length - 1]).toBe(20);
    expect(buffer.total).toBe(21);
  });
});

describe('SeriesBuffer.merge after a live cursor', () => {
  it('adds only the points past the held last step and keeps the series in order', () => {
    const buffer = new SeriesBuffer(100);
    // A downsampled history: steps 0..1000 kept as 5 points, 1001 stored.
    buffer.reset([0, 250, 500, 750, 1000], [5, 4, 3, 2, 1], 1001, [100, 125, 150, 175, 200], {
      min: [5, 3.5, 2.5, 1.5, 1],
      max: [5, 4.5, 3.5, 2.5, 1]
    });
    expect(buffer.lastStep).toBe(1000);
    // The cursor query answers steps after 1000; a repeat of 1000 (a race) is not drawn twice.
    const added = buffer.merge(
      { steps: [1000, 1001, 1002], values: [1, 0.9, 'NaN'], timestamps: [200, 200.1, 200.2] },
      1003
    );
    expect(added).toBe(2);
    expect(list(buffer.xs)).toEqual([0, 250, 500, 750, 1000, 1001, 1002]);
    expect(list(buffer.ys)).toEqual([5, 4, 3, 2, 1, 0.9, NaN]);
    expect(list(buffer.ts)).toEqual([100, 125, 150, 175, 200, 200.1, 200.2]);
    expect(list(buffer.band!.lo)).toEqual([5, 3.5, 2.5, 1.5, 1, 0.9, NaN]);
    expect(buffer.total).toBe(1003);
    expect(buffer.last).toBe('NaN');
    expect(buffer.lastStep).toBe(1002);
    // Nothing new: nothing changes.
    expect(buffer.merge({ steps: [1002], values: [0.8] }, 1003)).toBe(0);
    expect(buffer.xs.length).toBe(7);
  });

  it('thins again with the min/max rule when merges make it too long', () => {
    const buffer = new SeriesBuffer(10);
    buffer.reset([0, 1], [0, 1], 2, [0, 1]);
    const steps = Array.from({ length: 30 }, (_, i) => i + 2);
    buffer.merge({ steps, values: steps.map(s => (s === 17 ? 99 : s)), timestamps: steps }, 32);
    expect(buffer.xs.length).toBeLessThanOrEqual(10);
    expect(buffer.xs[0]).toBe(0);
    expect(buffer.xs[buffer.xs.length - 1]).toBe(31);
    expect(list(buffer.ys)).toContain(99);
    expect(list(buffer.ts)).toEqual(list(buffer.xs));
    expect(buffer.total).toBe(32);
  });
});

describe('SeriesBuffer.adopt', () => {
  it('takes typed columns without copying, non-finite values as gaps, the last as sent', () => {
    const steps = Float64Array.from([0, 1, 2]);
    const values = Float64Array.from([0.5, Infinity, NaN]);
    const buffer = new SeriesBuffer(100);
    const before = buffer.version;
    buffer.adopt({ steps, values, band: { min: Float64Array.from([0, -Infinity, 1]), max: Float64Array.from([1, 2, 3]) } }, 30);
    expect(buffer.xs).toBe(steps);
    expect(list(buffer.ys)).toEqual([0.5, NaN, NaN]);
    expect(list(buffer.band!.lo)).toEqual([0, NaN, 1]);
    expect(buffer.last).toBe('NaN');
    expect(buffer.total).toBe(30);
    expect(buffer.ts.length).toBe(0);
    expect(buffer.allGaps).toBe(false);
    expect(buffer.version).toBeGreaterThan(before);
  });

  it('knows when nothing is drawable', () => {
    const buffer = new SeriesBuffer(10);
    buffer.adopt({ steps: Float64Array.from([3]), values: Float64Array.from([-Infinity]) });
    expect(buffer.allGaps).toBe(true);
    expect(buffer.last).toBe('-Infinity');
  });

  it('thins adopted columns past its cap, keeping both ends and the extremes', () => {
    const n = 1000;
    const steps = Float64Array.from({ length: n }, (_, i) => i);
    const values = Float64Array.from({ length: n }, (_, i) => (i === 437 ? 1e6 : Math.sin(i)));
    const buffer = new SeriesBuffer(100);
    buffer.adopt({ steps, values, timestamps: steps.map(s => s + 0.5) });
    expect(buffer.xs.length).toBeLessThanOrEqual(100);
    expect(buffer.xs[0]).toBe(0);
    expect(buffer.xs[buffer.xs.length - 1]).toBe(n - 1);
    expect(list(buffer.xs)).toContain(437);
    expect(list(buffer.ts)).toEqual(list(buffer.xs).map(s => s + 0.5));
  });
});
