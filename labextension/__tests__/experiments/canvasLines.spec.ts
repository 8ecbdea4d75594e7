import { extents, linePath } from '../../experiments/canvasLines';

/** Records what is drawn (jsdom has no Path2D). */
class RecordingPath {
  ops: Array<[string, number, number]> = [];
  moveTo(x: number, y: number): void {
    this.ops.push(['M', x, y]);
  }
  lineTo(x: number, y: number): void {
    this.ops.push(['L', x, y]);
  }
  closePath(): void {
    this.ops.push(['Z', 0, 0]);
  }
}

beforeAll(() => {
  (globalThis as unknown as { Path2D: unknown }).Path2D = RecordingPath;
});

const ops = (p: unknown) => (p as RecordingPath).ops;
const identity = (v: number) => v;

describe('linePath', () => {
  it('draws one sub-path per stretch without gaps (NaN or null lift the pen)', () => {
    const path = linePath([0, 10, 20, 30, 40, 50], [1, 2, NaN, 4, null, 6], identity, identity, 0, 50);
    expect(ops(path)).toEqual([
      ['M', 0, 1],
      ['L', 10, 2],
      ['M', 30, 4],
      ['M', 50, 6]
    ]);
  });

  it('draws points sharing a pixel column as one vertical stroke (entry, min, max, exit)', () => {
    const xs = [0, 0.1, 0.2, 0.3, 5];
    const ys = [5, 9, 1, 4, 4];
    const path = linePath(xs, ys, identity, identity, 0, 5);
    expect(ops(path)).toEqual([
      ['M', 0, 5],
      ['L', 0, 1],
      ['L', 0, 9],
      ['L', 0, 4],
      ['L', 5, 4]
    ]);
  });

  it('visits only the x range and one point either side', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i * 10);
    const ys = xs.map(x => x / 10);
    const path = linePath(xs, ys, identity, identity, 305, 335);
    expect(ops(path).map(op => op[1])).toEqual([300, 310, 320, 330, 340]);
  });

  it('leaves out non-positive values on a log axis', () => {
    const path = linePath([0, 1, 2, 3], [1, 0, -1, 10], identity, identity, 0, 3, true);
    expect(ops(path)).toEqual([
      ['M', 0, 1],
      ['M', 3, 10]
    ]);
  });
});

describe('extents', () => {
  it('ranges the finite values of every column, positive only on a log axis', () => {
    const lines = [
      { xs: [0, 1, 2], ys: [new Float64Array([NaN, -2, 3])] },
      { xs: [5, 6], ys: [[null, 0.5], [Infinity, 7]] }
    ];
    expect(extents(lines, false)).toEqual({ x: [1, 6], y: [-2, 7] });
    expect(extents(lines, true)).toEqual({ x: [2, 6], y: [0.5, 7] });
    expect(extents([{ xs: [0], ys: [[NaN]] }], false)).toEqual({ x: null, y: null });
  });

  it('with an x window (a zoom), ranges y by what is drawn inside it only', () => {
    // A live run's new points (x 20, 30) far above the zoomed window [2, 8].
    const line = { xs: [0, 4, 6, 10, 20, 30], ys: [[0, 1, 2, 4, 100, 200]] };
    const zoomed = extents([line], false, [2, 8]);
    // The points at 4 and 6, and the line's values where it crosses x = 2 and x = 8.
    expect(zoomed.y).toEqual([0.5, 3]);
    expect(zoomed.x).toEqual([0, 30]);
    // A window between two points: the crossing values alone.
    expect(extents([{ xs: [0, 10], ys: [[0, 10]] }], false, [4, 6]).y).toEqual([4, 6]);
    // Nothing drawn in the window.
    expect(extents([line], false, [40, 50]).y).toBeNull();
    // On a log axis the crossing is interpolated in log space.
    expect(extents([{ xs: [0, 10], ys: [[1, 100]] }], true, [5, 5]).y).toEqual([10, 10]);
  });
});
