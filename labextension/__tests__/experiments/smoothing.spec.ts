import { smoothEma } from '../../experiments/smoothing';

describe('smoothEma', () => {
  it('is TensorBoard’s debiased EMA on evenly spaced points (hand-computed)', () => {
    // w = 0.5: s0 = 1; s1 = (0.5·1 + 2) / (0.5 + 1) = 5/3;
    // s2 = (0.25·1 + 0.5·2 + 3) / (0.25 + 0.5 + 1) = 4.25 / 1.75 = 17/7.
    const out = smoothEma([0, 1, 2], [1, 2, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(5 / 3, 12);
    expect(out[2]).toBeCloseTo(17 / 7, 12);
  });

  it('matches the TensorBoard recurrence last = w·last + (1-w)·y, / (1 - w^n)', () => {
    const ys = [3, -1, 4, 1, -5, 9, 2, 6];
    const xs = ys.map((_, i) => 10 * i);
    const w = 0.9;
    let last = 0;
    const expected = ys.map((y, i) => {
      last = w * last + (1 - w) * y;
      return last / (1 - w ** (i + 1));
    });
    smoothEma(xs, ys, w).forEach((s, i) => expect(s).toBeCloseTo(expected[i], 12));
  });

  it('weights by the distance along x when points are unevenly spaced', () => {
    // xs 0, 1, 3: mean gap 1.5, so the decays are 0.5^(1/1.5) and 0.5^(2/1.5).
    // a1 = 0.629961, s1 = (a1 + 2) / (a1 + 1) = 1.613512;
    // a2 = 0.396850, s2 = ((a1 + 2)·a2 + 3) / ((a1 + 1)·a2 + 1) = 2.455415.
    const out = smoothEma([0, 1, 3], [1, 2, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[1]).toBeCloseTo(1.613512, 6);
    expect(out[2]).toBeCloseTo(2.455415, 6);
  });

  it('leaves gaps as gaps without letting them into the average', () => {
    const out = smoothEma([0, 1, 2], [1, null, 3], 0.5);
    expect(out[1]).toBeNull();
    // From step 0 to 2 the decay is 0.5^(2/1) = 0.25: (0.25·1 + 3) / 1.25 = 2.6.
    expect(out[2]).toBeCloseTo(2.6, 12);
  });

  it('returns the values unchanged at weight 0', () => {
    expect(smoothEma([0, 1, 2], [5, null, 7], 0)).toEqual([5, null, 7]);
  });
});
