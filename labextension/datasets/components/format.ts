/** Formatting helpers of the datasets views. */

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) {
    return '–';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * A derived statistic (mean, std, quantiles, counts): at most 4 significant digits below
 * 1e15, and in scientific notation with at most 15 (all a double holds) from 1e15 on, where
 * a float printed as an integer would show digits it does not have (the mean of 64-bit
 * ids as `1577134800018165000`). Stored values go through `formatExact`.
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '–';
  }
  if ((typeof value === 'number' || typeof value === 'bigint') && Math.abs(Number(value)) >= 1e15) {
    const [mantissa, exponent] = Number(value).toExponential(14).split('e');
    return `${mantissa.replace(/\.?0+$/, '')}e${exponent}`;
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
  }
  return String(value);
}

/**
 * A data value as stored, without rounding: floats with every digit JavaScript keeps
 * (the shortest text that reads back to the same double, as Python prints it), integers
 * beyond 2**53 exact (they arrive as `bigint`, see `requestAPI`'s `exactIntegers`).
 */
export function formatExact(value: unknown): string {
  if (value === null || value === undefined) {
    return '–';
  }
  return String(value);
}

/** Whether an Arrow type name (mlhub_ext/data/stats.py `type_name`) is a number, right-aligned in tables. */
export function isNumericType(type: string | undefined): boolean {
  return /^(u?int\d+|halffloat|float|double|decimal\d*\(.*\))$/.test(type ?? '');
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '–';
}

/** The Python line that loads a version in a notebook. */
export function loadCode(name: string, version?: number): string {
  const v = version === undefined ? '' : `, version=${version}`;
  return `import mlhub_ext as mh\n\ndf = mh.datasets.get(${JSON.stringify(name)}${v}).to_pandas()\ndf.head()`;
}
