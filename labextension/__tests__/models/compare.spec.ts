import { compareMetrics, differingSpec, differsBeyondTolerance, higherIsBetter } from '../../models/compare';
import { IModelVersion } from '../../models/types';

const version = (metrics: Record<string, number>, spec: Record<string, unknown> = {}) =>
  ({ metrics, spec }) as unknown as IModelVersion;

describe('version comparison', () => {
  it('treats float noise as no change', () => {
    expect(differsBeyondTolerance(0.1 + 0.2, 0.3)).toBe(false);
    expect(differsBeyondTolerance(1000, 1000.0005)).toBe(false);
    expect(differsBeyondTolerance(1000, 1000.01)).toBe(true);
    expect(differsBeyondTolerance(NaN, NaN)).toBe(false);
    expect(differsBeyondTolerance(Infinity, 1)).toBe(true);
  });

  it('marks the better side by the metric’s direction', () => {
    expect(higherIsBetter('accuracy')).toBe(true);
    expect(higherIsBetter('rmse')).toBe(false);
    const rows = compareMetrics(version({ accuracy: 0.9, rmse: 2 }), version({ accuracy: 0.95, rmse: 3, r2: 0.5 }));
    expect(rows).toEqual([
      { metric: 'accuracy', left: 0.9, right: 0.95, diff: 0.95 - 0.9, changed: true, better: 'right' },
      { metric: 'r2', left: undefined, right: 0.5, diff: null, changed: false, better: null },
      { metric: 'rmse', left: 2, right: 3, diff: 1, changed: true, better: 'left' }
    ]);
  });

  it('lists the spec fields that differ', () => {
    expect(differingSpec(version({}, { epochs: 5, params: { a: 1 } }), version({}, { epochs: 5, params: { a: 2 }, lr: 0.1 }))).toEqual([
      'lr',
      'params'
    ]);
  });
});
