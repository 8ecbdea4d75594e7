/** Pure comparison of two model versions: metrics with their difference and the better side. */
import { IModelVersion } from './types';

/** Metrics for which a smaller value is better (as in mlhub_ext/train/evaluation.py). */
const LOWER_IS_BETTER = new Set(['mae', 'rmse', 'mse', 'loss', 'val_loss', 'log_loss']);

export function higherIsBetter(metric: string): boolean {
  return !LOWER_IS_BETTER.has(metric);
}

/** Differences at or below max(ABS_TOLERANCE, REL_TOLERANCE × the larger |value|) are no change. */
export const ABS_TOLERANCE = 1e-9;
export const REL_TOLERANCE = 1e-6;

/** The words the compare table shows as its tooltip (keep in step with the constants). */
export const TOLERANCE_TEXT =
  'A difference counts as better or worse only when |difference| > max(1e-9, 1e-6 × the larger |value|); ' +
  'smaller ones (float rounding such as 2e-16) are shown but not marked.';

/** Whether `a` and `b` differ by more than float noise (see {@link ABS_TOLERANCE}). */
export function differsBeyondTolerance(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    return !Object.is(a, b);
  }
  return Math.abs(b - a) > Math.max(ABS_TOLERANCE, REL_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));
}

export interface IMetricRow {
  metric: string;
  left: number | null | undefined;
  right: number | null | undefined;
  /** right - left, where both are numbers. */
  diff: number | null;
  /** Whether the difference is beyond the tolerance (see {@link differsBeyondTolerance}). */
  changed: boolean;
  /** The better side, only for a change beyond the tolerance. */
  better: 'left' | 'right' | null;
}

export function compareMetrics(left: IModelVersion, right: IModelVersion): IMetricRow[] {
  const keys = new Set([...Object.keys(left.metrics ?? {}), ...Object.keys(right.metrics ?? {})]);
  return Array.from(keys)
    .sort()
    .map(metric => {
      const l = left.metrics?.[metric];
      const r = right.metrics?.[metric];
      const both = typeof l === 'number' && typeof r === 'number';
      const diff = both ? r - l : null;
      const changed = both && differsBeyondTolerance(l, r);
      const better = !changed || diff === null ? null : (diff > 0) === higherIsBetter(metric) ? 'right' : 'left';
      return { metric, left: l, right: r, diff, changed, better };
    });
}

/** Spec fields (estimator, params, epochs, ...) whose values differ. */
export function differingSpec(left: IModelVersion, right: IModelVersion): string[] {
  const keys = new Set([...Object.keys(left.spec ?? {}), ...Object.keys(right.spec ?? {})]);
  return Array.from(keys)
    .filter(k => JSON.stringify(left.spec?.[k]) !== JSON.stringify(right.spec?.[k]))
    .sort();
}
