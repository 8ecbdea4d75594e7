import {
  durationTickLabels,
  durationUnit,
  linearTickLabels,
  logTickLabels,
  stepDecimals
} from '../../experiments/axisTicks';

describe('stepDecimals', () => {
  it('gives the decimals a step needs to be written exactly', () => {
    expect(stepDecimals(0.0025)).toBe(4);
    expect(stepDecimals(0.05)).toBe(2);
    expect(stepDecimals(0.1)).toBe(1);
    expect(stepDecimals(2.5)).toBe(1);
    expect(stepDecimals(1)).toBe(0);
    expect(stepDecimals(2000)).toBe(0);
  });

  it('ignores float noise and caps repeating steps', () => {
    expect(stepDecimals(0.1 + 0.2)).toBe(1);
    expect(stepDecimals(1 / 3)).toBe(2);
  });

  it('is 0 for steps that are not positive finite numbers', () => {
    expect(stepDecimals(0)).toBe(0);
    expect(stepDecimals(-1)).toBe(0);
    expect(stepDecimals(NaN)).toBe(0);
  });
});

describe('linearTickLabels', () => {
  it('labels ticks 0.0025 apart without rounding them together', () => {
    const ticks = [0, 0.0025, 0.005, 0.0075, 0.01];
    const labels = linearTickLabels(ticks, 0.0025);
    expect(labels).toEqual(['0', '0.0025', '0.0050', '0.0075', '0.0100']);
    expect(new Set(labels).size).toBe(ticks.length);
  });

  it('keeps integers plain and blanks filtered ticks', () => {
    expect(linearTickLabels([0, 200, null, 600], 200)).toEqual(['0', '200', '', '600']);
  });

  it('writes zero, -0 too, as 0', () => {
    expect(linearTickLabels([-1e-17, 0.5], 0.5)).toEqual(['0', '0.5']);
  });
});

describe('logTickLabels', () => {
  it('writes small powers of ten exactly', () => {
    expect(logTickLabels([0.0001, 0.001, 10, null])).toEqual(['0.0001', '0.001', '10', '']);
    expect(logTickLabels([1e-7])).toEqual(['1e-7']);
  });
});

describe('durationTickLabels', () => {
  it('labels sub-second ticks distinctly, 0 included', () => {
    const labels = durationTickLabels([0, 0.05, 0.1, 0.15], 0.05);
    expect(labels).toEqual(['0 s', '0.05 s', '0.10 s', '0.15 s']);
  });

  it('switches unit by the largest tick, with the decimals the step needs there', () => {
    expect(durationTickLabels([0, 30, 60, 90, 120, 150], 30)).toEqual([
      '0 min',
      '0.5 min',
      '1.0 min',
      '1.5 min',
      '2.0 min',
      '2.5 min'
    ]);
    expect(durationTickLabels([0, 3600, 7200], 3600)).toEqual(['0 h', '1 h', '2 h']);
  });

  it('keeps neighbours apart when the step is not a round number of units', () => {
    const labels = durationTickLabels([0, 20, 40, 60, 80, 100, 120], 20);
    expect(new Set(labels).size).toBe(7);
  });

  it('picks units by span', () => {
    expect(durationUnit(119).name).toBe('s');
    expect(durationUnit(120).name).toBe('min');
    expect(durationUnit(7200).name).toBe('h');
  });
});
