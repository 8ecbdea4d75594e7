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

/** The first few metrics of a run, sorted by key so the order is stable. */
export function shownMetrics(
  metrics: Record<string, MetricValue>
): Array<[string, string]> {
  return Object.keys(metrics)
    .sort()
    .slice(0, METRICS_SHOWN)
    .map(key => [key, formatMetric(metrics[key])]);
}

export function formatTime(date: Date): string {
  return date.toLocaleTimeString();
}
