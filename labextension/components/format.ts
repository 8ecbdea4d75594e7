/** Small formatting helpers for the sidebar. */
import { MetricValue } from '../tokens';

/** How many of a run's latest metrics the sidebar shows inline. */
export const METRICS_SHOWN = 3;

/** A metric value as text: 4 significant digits, non-finite values as sent. */
export function formatMetric(value: MetricValue): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      return String(value);
    }
    return Number(value.toPrecision(4)).toString();
  }
  return value === null ? '–' : value;
}

/** The prefix of the metrics the SDK samples itself (CPU, memory, GPU...), not the user's. */
export const SYSTEM_PREFIX = 'system/';

/** Metric keys in the order to list them: the user's sorted, then the `system/…` ones sorted. */
export function metricOrder(keys: Iterable<string>): string[] {
  const sorted = [...keys].sort();
  return [
    ...sorted.filter(k => !k.startsWith(SYSTEM_PREFIX)),
    ...sorted.filter(k => k.startsWith(SYSTEM_PREFIX))
  ];
}

/**
 * The few metric keys a run's row shows: the user's, sorted; `system/…` ones only for a run
 * that logged nothing else (they would otherwise take the row's few slots).
 */
export function rowMetricKeys(keys: Iterable<string>, n = METRICS_SHOWN): string[] {
  const ordered = metricOrder(keys);
  const own = ordered.filter(k => !k.startsWith(SYSTEM_PREFIX));
  return (own.length > 0 ? own : ordered).slice(0, n);
}

/** The first few metrics of a run (see {@link rowMetricKeys}), in a stable order. */
export function shownMetrics(
  metrics: Record<string, MetricValue>
): Array<[string, string]> {
  return rowMetricKeys(Object.keys(metrics)).map(key => [key, formatMetric(metrics[key])]);
}

export function formatTime(date: Date): string {
  return date.toLocaleTimeString();
}
