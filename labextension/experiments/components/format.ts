/** Text for params and table cells in the experiments views. */
import { formatMetric } from '../../components/format';
import { MetricValue } from '../../tokens';

/** A param value as short text: numbers like metrics, the rest as compact JSON. */
export function formatParam(value: unknown): string {
  if (typeof value === 'number') {
    return formatMetric(value);
  }
  if (typeof value === 'string') {
    return value;
  }
  if (value === undefined) {
    return '–';
  }
  return JSON.stringify(value);
}

/** A metric cell: '–' where the run never logged the key. */
export function formatCell(value: MetricValue | undefined): string {
  return value === undefined ? '–' : formatMetric(value);
}
