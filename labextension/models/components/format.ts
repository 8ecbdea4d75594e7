/** Text helpers of the models views. */
import { IJob } from '../types';

export { formatBytes, formatDate, formatValue } from '../../datasets/components/format';

/** The headline metrics of a version, in a stable order, at most `n`. */
export function headlineMetrics(
  metrics: Record<string, number | null> | undefined,
  n = 3
): Array<[string, number | null]> {
  const preferred = ['accuracy', 'f1_macro', 'roc_auc', 'r2', 'rmse', 'mae'];
  const keys = Object.keys(metrics ?? {});
  const ordered = [
    ...preferred.filter(k => keys.includes(k)),
    ...keys.filter(k => !preferred.includes(k)).sort()
  ];
  return ordered.slice(0, n).map(k => [k, (metrics ?? {})[k]]);
}

/** "train iris_rf", "evaluate iris_rf v2", "sweep iris_rf". */
export function jobTitle(job: IJob): string {
  const model = job.model ?? job.dataset?.name ?? job.id.slice(0, 8);
  const version = job.kind === 'evaluate' && job.version !== null ? ` v${job.version}` : '';
  return `${job.kind} ${model}${version}`;
}

export function percent(progress: number | null | undefined): number {
  return Math.round(Math.max(0, Math.min(1, progress ?? 0)) * 100);
}

/** A label for any JSON value (class labels, predictions, inputs). */
export function labelText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
