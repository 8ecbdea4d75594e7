import { hoverRows, nearestIndex } from '../../experiments/chartInteraction';

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
