/**
 * Tick labels for the metric charts' axes, with as many decimals as the tick step needs
 * (uPlot's default labels keep at most 3 decimals, so ticks 0.0025 apart read
 * 0, 0.003, 0.005, 0.008 and ticks 0.05 s apart read "0.1 s" twice).
 */

/** Most decimals a label gets: past this a step is float noise, not a choice. */
const MAX_DECIMALS = 12;

/**
 * The fewest decimals that write every multiple of `step` exactly (0.0025 -> 4,
 * 0.05 -> 2, 2000 -> 0), at most one decimal past the step's first significant digit
 * (a step of 1/3 -> 2: enough to tell neighbours apart); 0 for a step that is not a
 * positive finite number.
 */
export function stepDecimals(step: number): number {
  if (!Number.isFinite(step) || step <= 0) {
    return 0;
  }
  const enough = Math.min(MAX_DECIMALS, Math.max(0, Math.ceil(-Math.log10(step)) + 1));
  for (let d = 0; d < enough; d++) {
    const scaled = step * 10 ** d;
    // Relative tolerance: 0.1 + 0.2 style noise must not ask for 17 decimals.
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, scaled)) {
      return d;
    }
  }
  return enough;
}

/** `value` with `decimals` fixed decimals; zero (or what rounds to it, "-0" too) as "0". */
function fixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? '0' : text;
}

/**
 * Labels of linear ticks `ticks` spaced `step` apart, all with the decimals the step
 * needs ("" for a tick uPlot filtered out as null).
 */
export function linearTickLabels(ticks: Array<number | null>, step: number): string[] {
  const decimals = stepDecimals(step);
  return ticks.map(t => (t === null || !Number.isFinite(t) ? '' : fixed(t, decimals)));
}

/**
 * Labels of log-scale ticks: each value in its shortest exact form (0.0001, 1e-7), as
 * a log axis's ticks share no step.
 */
export function logTickLabels(ticks: Array<number | null>): string[] {
  return ticks.map(t => (t === null || !Number.isFinite(t) ? '' : String(Number(t.toPrecision(6)))));
}

/** A duration unit: its name and its length in seconds. */
interface IUnit {
  name: string;
  seconds: number;
}

const SECOND: IUnit = { name: 's', seconds: 1 };
const MINUTE: IUnit = { name: 'min', seconds: 60 };
const HOUR: IUnit = { name: 'h', seconds: 3600 };

/** The unit durations up to `span` seconds are written in (s below 2 min, min below 2 h). */
export function durationUnit(span: number): IUnit {
  const s = Math.abs(span);
  return s < 120 ? SECOND : s < 7200 ? MINUTE : HOUR;
}

/**
 * Labels of ticks `ticks` (seconds since the run's start) spaced `step` seconds apart,
 * in one unit chosen by the largest tick and with the decimals the step needs in that
 * unit, so neighbouring ticks never read the same ("0 s, 0.05 s, 0.1 s").
 */
export function durationTickLabels(ticks: Array<number | null>, step: number): string[] {
  const finite = ticks.filter((t): t is number => t !== null && Number.isFinite(t));
  const unit = durationUnit(finite.length ? Math.max(...finite.map(Math.abs)) : 0);
  const decimals = stepDecimals(step / unit.seconds);
  return ticks.map(t =>
    t === null || !Number.isFinite(t) ? '' : `${fixed(t / unit.seconds, decimals)} ${unit.name}`
  );
}
