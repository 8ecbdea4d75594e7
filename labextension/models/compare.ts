/** Pure comparison of two model versions: metrics with their difference and the better side. */
import { IModelVersion } from './types';

/** Metrics for which a smaller value is better (as in mlhub_ext/train/evaluation.py). */
const LOWER_IS_BETTER = new Set(['mae', 'rmse', 'mse', 'loss', 'val_loss', 'log_loss']);

export function higherIsBetter(metric: string): boolean {
  return !LOWER_IS_BETTER.has(metric);
}

export interface IMetricRow {
  metric: string;
  left: number | null | undefined;
  right: number | null | undefined;
  /** right - left, where both are numbers. */
  diff: number | null;
  better: 'left' | 'right' | null;
}

export function compareMetrics(left: IModelVersion, right: IModelVersion): IMetricRow[] {
  const keys = new Set([...Object.keys(left.metrics ?? {}), ...Object.keys(right.metrics ?? {})]);
  return Array.from(keys)
    .sort()
    .map(metric => {
      const l = left.metrics?.[metric];
      const r = right.metrics?.[metric];
      const diff = typeof l === 'number' && typeof r === 'number' ? r - l : null;
      const better = diff === null || diff === 0 ? null : (diff > 0) === higherIsBetter(metric) ? 'right' : 'left';
      return { metric, left: l, right: r, diff, better };
    });
}

/** Spec fields (estimator, params, epochs, ...) whose values differ. */
export function differingSpec(left: IModelVersion, right: IModelVersion): string[] {
  const keys = new Set([...Object.keys(left.spec ?? {}), ...Object.keys(right.spec ?? {})]);
  return Array.from(keys)
    .filter(k => JSON.stringify(left.spec?.[k]) !== JSON.stringify(right.spec?.[k]))
    .sort();
}
