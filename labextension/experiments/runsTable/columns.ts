/**
 * Pure helpers of the runs table: which columns exist, how a cell reads, which server
 * `order_by` a column sorts by, how the search box splits into `filter` and `q`, group
 * labels, and the colour scale of the parallel coordinates. No DOM, no fetching.
 */
import { formatMetric } from '../../components/format';
import { IRun } from '../../tokens';
import { formatParam } from '../components/format';

/** The columns every project has; the rest are `params.<k>`, `summary.<k>`, `metrics.<k>`. */
export const FIXED_COLUMNS = ['status', 'duration', 'owner', 'created', 'tags'] as const;

/** Shown until the user picks: these plus the first params and metrics seen. */
export const DEFAULT_FIXED = ['status', 'created', 'duration'];
const DEFAULT_PER_KIND = 4;

/** What the server's `order_by` calls a column. */
export function orderKey(column: string): string {
  return column === 'created' ? 'created_at' : column;
}

/** The header text of a column: the key without its kind (`params.lr` → `lr`). */
export function columnLabel(column: string): string {
  const dot = column.indexOf('.');
  return dot > 0 ? column.slice(dot + 1) : column;
}

/** The kind of a column, shown above its label: param, summary, metric or run. */
export function columnKind(column: string): 'param' | 'summary' | 'metric' | 'run' {
  if (column.startsWith('params.')) {
    return 'param';
  }
  if (column.startsWith('summary.')) {
    return 'summary';
  }
  if (column.startsWith('metrics.')) {
    return 'metric';
  }
  return 'run';
}

/** Every column the runs seen so far offer, fixed ones first, then by kind and key. */
export function availableColumns(runs: Iterable<IRun>, extra: Iterable<string> = []): string[] {
  const params = new Set<string>();
  const summary = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    Object.keys(run.params ?? {}).forEach(k => params.add(`params.${k}`));
    Object.keys(run.summary ?? {}).forEach(k => summary.add(`summary.${k}`));
    Object.keys(run.latest_metrics ?? {}).forEach(k => metrics.add(`metrics.${k}`));
  }
  for (const column of extra) {
    (column.startsWith('params.') ? params : column.startsWith('summary.') ? summary : metrics).add(
      column
    );
  }
  const fixed: string[] = [...FIXED_COLUMNS];
  return [
    ...fixed,
    ...[...params].sort(),
    ...[...metrics].sort(),
    ...[...summary].sort()
  ].filter((c, i, all) => all.indexOf(c) === i && (fixed.includes(c) || c.includes('.')));
}

/** The columns shown before the user chose any: a few fixed, params and metrics. */
export function defaultColumns(available: string[]): string[] {
  const params = available.filter(c => c.startsWith('params.')).slice(0, DEFAULT_PER_KIND);
  const metrics = available
    .filter(c => c.startsWith('metrics.') && !c.startsWith('metrics.system/'))
    .slice(0, DEFAULT_PER_KIND);
  return [...DEFAULT_FIXED, ...params, ...metrics];
}

/** Seconds from a run's creation to its end (or to `now` while it runs). */
export function durationSeconds(run: IRun, now: number = Date.now()): number | null {
  const start = Date.parse(run.created_at);
  if (Number.isNaN(start)) {
    return null;
  }
  const end = run.finished_at ? Date.parse(run.finished_at) : run.status === 'running' ? now : NaN;
  return Number.isNaN(end) ? null : Math.max(0, (end - start) / 1000);
}

/** A duration as `42s`, `3m 05s`, `2h 10m`, `3d 4h`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) {
    return '–';
  }
  const s = Math.round(seconds);
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  }
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** `2026-11-30 09:15` in the browser's time zone. */
export function formatTime(iso: string | null): string {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(
    date.getHours()
  )}:${pad(date.getMinutes())}`;
}

/** The raw value of a column for a run (undefined where the run has none). */
export function cellValue(run: IRun, column: string, now?: number): unknown {
  switch (column) {
    case 'name':
      return run.name;
    case 'status':
      return run.status;
    case 'owner':
      return run.owner;
    case 'created':
      return run.created_at;
    case 'tags':
      return run.tags;
    case 'duration':
      return durationSeconds(run, now);
  }
  const dot = column.indexOf('.');
  const key = column.slice(dot + 1);
  const source = column.startsWith('params.')
    ? run.params
    : column.startsWith('summary.')
      ? run.summary
      : column.startsWith('metrics.')
        ? run.latest_metrics
        : undefined;
  return source && Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
}

/** A cell's text. */
export function formatCellText(run: IRun, column: string, now?: number): string {
  const value = cellValue(run, column, now);
  switch (column) {
    case 'created':
      return formatTime(run.created_at);
    case 'duration':
      return formatDuration(value as number | null);
    case 'tags':
      return run.tags.join(', ');
  }
  if (column.startsWith('metrics.')) {
    return value === undefined ? '–' : formatMetric(value as number | string | null);
  }
  return formatParam(value);
}

/** Whether a column's cells are numbers (right-aligned). */
export function isNumericColumn(column: string): boolean {
  return column === 'duration' || column.startsWith('metrics.');
}

/**
 * The search box: the filter language when the text has an operator (`params.lr < 0.01`,
 * `tags = baseline`), else plain text found in run names and tags (`q`).
 */
export function splitSearch(text: string): { filter: string; q: string } {
  const t = text.trim();
  if (!t) {
    return { filter: '', q: '' };
  }
  return /[<>=~]/.test(t) ? { filter: t, q: '' } : { filter: '', q: t };
}

/** The text a group's header shows for its value (`(none)` for runs that lack it). */
export function groupLabel(value: unknown): string {
  if (value === null || value === undefined) {
    return '(none)';
  }
  return formatParam(value);
}

/**
 * The key a group's runs are asked with: `group=<key>` or `group_missing=true` for the
 * runs that lack the value (the server's null key); '' is the whole table's segment.
 */
export function groupQuery(key: string | null): Record<string, string> {
  return key === null ? { group_missing: 'true' } : { group: key };
}

/** The id of a segment of rows in the model's caches: '' (ungrouped) or `g:<key>` / `g:null`. */
export function segmentId(key: string | null | undefined): string {
  if (key === undefined) {
    return '';
  }
  return key === null ? 'g:null' : `g:${key}`;
}

/** Where the column choice of a project is kept in the browser. */
export function columnsStorageKey(project: string): string {
  return `mlhub-runs-table-columns:${project}`;
}

/** A number, when `value` is one (numeric strings of params count), else null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value;
  }
  if (typeof value === 'boolean') {
    return null;
  }
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return null;
}

/**
 * A colour for `t` in [0, 1] on an ordered scale from blue through purple and magenta to
 * orange: every stop keeps at least 3:1 contrast on both the light and the dark theme's
 * background (viridis' dark purple vanishes on the dark theme, its yellow on the light).
 */
export function scaleColor(t: number): string {
  const stops: Array<[number, number, number]> = [
    [41, 98, 255],
    [148, 64, 224],
    [219, 39, 119],
    [234, 88, 12]
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  const mix = (k: number) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}
