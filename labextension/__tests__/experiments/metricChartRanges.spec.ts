import { nonFiniteNote, ranges } from '../../experiments/components/MetricChart';
import { SeriesBuffer } from '../../experiments/series';

describe('run page chart ranges', () => {
  const drawn = [{ buffer: { xs: [0, 1000, 5800, 5900, 6000, 20000], ys: [0, 20, 5.8, 5.9, 6.05, 1] } }];

  it('fits y to the whole data when not zoomed', () => {
    const r = ranges(drawn, false, null);
    expect(r.x).toEqual([0, 20000]);
    expect(r.y[0]).toBeLessThanOrEqual(0);
    expect(r.y[1]).toBeGreaterThanOrEqual(20);
  });

  it('fits y to what is drawn inside a drag-zoom window', () => {
    const r = ranges(drawn, false, [5800, 6000]);
    expect(r.y[0]).toBeGreaterThan(5);
    expect(r.y[0]).toBeLessThanOrEqual(5.8);
    expect(r.y[1]).toBeGreaterThanOrEqual(6.05);
    expect(r.y[1]).toBeLessThan(7);
    // x stays the data's extent (uPlot's x scale holds the zoom).
    expect(r.x).toEqual([0, 20000]);
  });
});

describe('nonFiniteNote', () => {
  it('says a range holds no points rather than that only nulls were logged', () => {
    const empty = new SeriesBuffer(100);
    empty.total = 40;
    expect(nonFiniteNote([{ buffer: empty }])).toBe('No points in this range.');
    const nulls = new SeriesBuffer(100);
    nulls.reset([1, 2], [null, null], 2);
    expect(nonFiniteNote([{ buffer: nulls }])).toMatch(/^Only null values logged \(2 points/);
  });
});
