/**
 * Run colours for the panel grid: by position (palette.ts), or by a param, with a
 * continuous scale for numbers (low = dark violet, high = yellow, as viridis) and one
 * palette colour per distinct value otherwise (a grouping: runs that share a value
 * share a colour).
 */
import { IRun } from '../tokens';
import { runColor } from './palette';

/** Viridis at 0, 0.25, 0.5, 0.75 and 1. */
const SCALE: Array<[number, number, number]> = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37]
];

/** The colour of `t` in [0, 1] on the continuous scale. */
export function scaleColor(t: number): string {
  const u = Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1) * (SCALE.length - 1);
  const i = Math.min(Math.floor(u), SCALE.length - 2);
  const f = u - i;
  const [r, g, b] = SCALE[i].map((c, k) => Math.round(c + (SCALE[i + 1][k] - c) * f));
  return `rgb(${r}, ${g}, ${b})`;
}

export interface IRunColors {
  /** Run id -> colour. */
  colors: Map<string, string>;
  /** For a numeric param: the range the scale spans. */
  range: [number, number] | null;
  /** For a text param: value -> colour (the groups). */
  groups: Array<[string, string]>;
}

/**
 * Colours of `runs` ordered as `runIds`: by position with `param` '', else by the
 * param's value (runs without it grey).
 */
export function colorRuns(runIds: string[], runs: IRun[], param: string): IRunColors {
  const colors = new Map<string, string>();
  if (!param) {
    runIds.forEach((id, i) => colors.set(id, runColor(i)));
    return { colors, range: null, groups: [] };
  }
  const values = runs.map(run => run.params?.[param]);
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const present = values.filter(v => v !== undefined && v !== null);
  if (numbers.length > 0 && numbers.length === present.length) {
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    runs.forEach((run, i) => {
      const v = values[i];
      colors.set(
        run.id,
        typeof v === 'number' ? scaleColor(hi > lo ? (v - lo) / (hi - lo) : 0.5) : MISSING
      );
    });
    return { colors, range: [lo, hi], groups: [] };
  }
  const keys = [...new Set(present.map(v => JSON.stringify(v)))].sort();
  const groups: Array<[string, string]> = keys.map((k, i) => [k, runColor(i)]);
  const byKey = new Map(groups);
  runs.forEach((run, i) => {
    const v = values[i];
    colors.set(run.id, v === undefined || v === null ? MISSING : byKey.get(JSON.stringify(v))!);
  });
  return { colors, range: null, groups };
}

const MISSING = '#888888';
