import { formatMetric, metricOrder, rowMetricKeys, shownMetrics } from '../../components/format';

describe('formatMetric', () => {
  it('keeps integers, rounds floats to 4 significant digits, shows non-finite values as sent', () => {
    expect(formatMetric(12)).toBe('12');
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(1234.5678)).toBe('1235');
    expect(formatMetric('NaN')).toBe('NaN');
    expect(formatMetric(null)).toBe('–');
  });
});

describe('metric order', () => {
  const keys = ['system/cpu', 'loss', 'acc', 'system/gpu'];
  it("lists the user's metrics sorted, then the system ones", () => {
    expect(metricOrder(keys)).toEqual(['acc', 'loss', 'system/cpu', 'system/gpu']);
  });

  it("shows system metrics in a row only for a run with none of the user's", () => {
    expect(rowMetricKeys(keys)).toEqual(['acc', 'loss']);
    expect(rowMetricKeys(['system/gpu', 'system/cpu'], 1)).toEqual(['system/cpu']);
    expect(shownMetrics({ loss: 0.25, acc: 0.987654, 'system/cpu': 3 })).toEqual([
      ['acc', '0.9877'],
      ['loss', '0.25']
    ]);
  });
});
