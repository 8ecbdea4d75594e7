/**
 * Run colours for the panel grid: by position (palette.ts), or by a param, with a
 * continuous scale for numbers (low = violet, high = yellow, as viridis) and one
 * palette colour per distinct value otherwise (a grouping: runs that share a value
 * share a colour). A positive param spanning two decades or more (a learning rate
 * 1e-4..1e-2) is placed on a log scale, else most runs crowd one end. In the dark
 * theme the scale starts past viridis' near-black violet, which vanishes on the
 * dark background.
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

/**
 * Where on viridis (0..1) the scale's low end sits: in the dark theme past the
 * near-black violet, at 0.35 (rgb(49, 107, 139): 3.2:1 against JupyterLab's dark
 * background #111, WCAG's 3:1 for graphics; viridis' start is 1.3:1); in the light
 * theme viridis from its start (dark violet reads well on white).
 */
export function scaleStart(dark: boolean): number {
  return dark ? 0.35 : 0;
}

/** The colour of `t` in [0, 1] on viridis trimmed to [start, 1] (`start` in [0, 1)). */
export function scaleColor(t: number, start = 0): string {
  const clamped = Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1);
  const u = (start + (1 - start) * clamped) * (SCALE.length - 1);
  const i = Math.min(Math.floor(u), SCALE.length - 2);
  const f = u - i;
  const [r, g, b] = SCALE[i].map((c, k) => Math.round(c + (SCALE[i + 1][k] - c) * f));
  return `rgb(${r}, ${g}, ${b})`;
}

/** A CSS gradient of the scale trimmed to [start, 1], for the colour legend. */
export function scaleGradient(start = 0): string {
  const stops = Array.from({ length: 9 }, (_, i) => scaleColor(i / 8, start));
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** Decades a positive range must span to be coloured on a log scale. */
export const LOG_DECADES = 2;

/** Whether values in [lo, hi] are placed on a log scale: all positive, hi/lo >= 10^2. */
export function isLogScale(lo: number, hi: number): boolean {
  return lo > 0 && hi > 0 && Math.log10(hi / lo) >= LOG_DECADES - 1e-9;
}

/** `v`'s place in [0, 1] on the scale from `lo` to `hi` (0.5 when they are equal). */
export function scalePosition(v: number, lo: number, hi: number, log: boolean): number {
  if (!(hi > lo)) {
    return 0.5;
  }
  return log
    ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
    : (v - lo) / (hi - lo);
}

export interface IRunColors {
  /** Run id -> colour. */
  colors: Map<string, string>;
  /** For a numeric param: the range the scale spans. */
  range: [number, number] | null;
  /** For a numeric param: how values are placed on it; null for no scale. */
  scale: 'linear' | 'log' | null;
  /** For a numeric param: the scale as a CSS gradient (low to high), '' for none. */
  gradient: string;
  /** For a text param: value -> colour (the groups). */
  groups: Array<[string, string]>;
}

/**
 * Colours of `runs` ordered as `runIds`: by position with `param` '', else by the
 * param's value (runs without it grey); `dark` trims the scale's dark end.
 */
export function colorRuns(
  runIds: string[],
  runs: IRun[],
  param: string,
  dark = false
): IRunColors {
  const colors = new Map<string, string>();
  const none = { scale: null, gradient: '' };
  if (!param) {
    runIds.forEach((id, i) => colors.set(id, runColor(i)));
    return { colors, range: null, groups: [], ...none };
  }
  const values = runs.map(run => run.params?.[param]);
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const present = values.filter(v => v !== undefined && v !== null);
  if (numbers.length > 0 && numbers.length === present.length) {
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    const log = isLogScale(lo, hi);
    const start = scaleStart(dark);
    runs.forEach((run, i) => {
      const v = values[i];
      colors.set(
        run.id,
        typeof v === 'number' ? scaleColor(scalePosition(v, lo, hi, log), start) : MISSING
      );
    });
    return {
      colors,
      range: [lo, hi],
      groups: [],
      scale: log ? 'log' : 'linear',
      gradient: scaleGradient(start)
    };
  }
  const keys = [...new Set(present.map(v => JSON.stringify(v)))].sort();
  const groups: Array<[string, string]> = keys.map((k, i) => [k, runColor(i)]);
  const byKey = new Map(groups);
  runs.forEach((run, i) => {
    const v = values[i];
    colors.set(run.id, v === undefined || v === null ? MISSING : byKey.get(JSON.stringify(v))!);
  });
  return { colors, range: null, groups, ...none };
}

const MISSING = '#888888';
