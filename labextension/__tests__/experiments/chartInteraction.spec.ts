import { attachInteraction, hoverRows, IHover, nearestIndex } from '../../experiments/chartInteraction';

jest.mock('uplot', () => ({}));

describe('nearestIndex', () => {
  it('finds the closest x, the lower one on a tie', () => {
    const xs = [0, 10, 20, 30];
    expect(nearestIndex(xs, -5)).toBe(0);
    expect(nearestIndex(xs, 14)).toBe(1);
    expect(nearestIndex(xs, 15)).toBe(1);
    expect(nearestIndex(xs, 16)).toBe(2);
    expect(nearestIndex(xs, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('hoverRows', () => {
  const line = (id: string, ys: Array<number | null>) => ({ id, label: id, color: '#000', xs: [0, 1, 2], ys });

  it('lists the runs’ values at the step under the pointer, closest first, skipping gaps', () => {
    const rows = hoverRows([line('a', [1, 5, 9]), line('b', [2, 3, 4]), line('c', [0, null, 0])], 1.2, 4);
    expect(rows.map(r => [r.id, r.step, r.value])).toEqual([
      ['a', 1, 5],
      ['b', 1, 3]
    ]);
  });

  it('skips NaN gaps of typed columns too', () => {
    const typed = { id: 't', label: 't', color: '#000', xs: Float64Array.from([0, 1, 2]), ys: Float64Array.from([1, NaN, 1]) };
    expect(hoverRows([typed, line('a', [1, 5, 9])], 1, 4).map(r => r.id)).toEqual(['a']);
  });

  it('shows at most six runs', () => {
    const lines = Array.from({ length: 9 }, (_, i) => line(`r${i}`, [i, i, i]));
    expect(hoverRows(lines, 0, 0)).toHaveLength(6);
  });
});

describe('attachInteraction', () => {
  /** A plot 100 px wide over x 0..1000 (the scale changes as uPlot's would). */
  function fakePlot() {
    const over = document.createElement('div');
    document.body.appendChild(over);
    const scale = { min: 0, max: 1000 };
    const u = {
      over,
      posToVal: (pos: number, key: string) =>
        key === 'x' ? scale.min + (pos / 100) * (scale.max - scale.min) : 0,
      setScale: (_key: string, s: { min: number; max: number }) => {
        scale.min = s.min;
        scale.max = s.max;
      }
    };
    return u;
  }
  const mouse = (type: string, x: number) => {
    const event = new MouseEvent(type, { bubbles: true });
    Object.defineProperty(event, 'offsetX', { value: x });
    Object.defineProperty(event, 'offsetY', { value: 10 });
    return event;
  };

  it('hides the hover after a drag-zoom and a reset, until the pointer moves again', () => {
    const u = fakePlot();
    const hovers: Array<IHover | null> = [];
    const ranges: Array<[number, number]> = [];
    const line = { id: 'a', label: 'a', color: 'red', xs: [0, 500, 1000], ys: [1, 2, 3] };
    attachInteraction(u as never, {
      lines: () => [line],
      onHover: h => hovers.push(h),
      onZoom: () => undefined,
      resetZoom: () => undefined,
      onRange: (a, b) => ranges.push([a, b])
    });
    u.over.dispatchEvent(mouse('mousemove', 95));
    expect(hovers[hovers.length - 1]?.step).toBe(1000);
    u.over.dispatchEvent(mouse('mousedown', 40));
    u.over.dispatchEvent(mouse('mouseup', 60));
    expect(ranges).toEqual([[400, 600]]);
    // The point shown before the zoom (step 1000) lies outside the new range.
    expect(hovers[hovers.length - 1]).toBeNull();
    u.over.dispatchEvent(mouse('mousemove', 50));
    expect(hovers[hovers.length - 1]?.step).toBe(500);
    u.over.dispatchEvent(mouse('dblclick', 50));
    expect(hovers[hovers.length - 1]).toBeNull();
  });
});
