import {
  colorRuns,
  isLogScale,
  scaleColor,
  scaleGradient,
  scalePosition,
  scaleStart
} from '../../experiments/colorBy';
import { IRun } from '../../tokens';

function run(id: string, params: Record<string, unknown>): IRun {
  return { id, name: id, params } as unknown as IRun;
}

/** Relative luminance (0 black .. 1 white) of an `rgb(r, g, b)` colour. */
function luminance(color: string): number {
  const [r, g, b] = /^rgb\((\d+), (\d+), (\d+)\)$/
    .exec(color)!
    .slice(1)
    .map(c => {
      const s = Number(c) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two luminances. */
function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** JupyterLab's dark theme background (--jp-layout-color1, #111). */
const DARK_BG = luminance('rgb(17, 17, 17)');

describe('scaleColor', () => {
  it('runs viridis from violet to yellow without a start', () => {
    expect(scaleColor(0)).toBe('rgb(68, 1, 84)');
    expect(scaleColor(1)).toBe('rgb(253, 231, 37)');
    expect(scaleColor(0.5)).toBe('rgb(33, 145, 140)');
  });

  it('starts the dark theme scale where it reads on the dark background', () => {
    const low = scaleColor(0, scaleStart(true));
    expect(low).toBe('rgb(49, 107, 139)');
    expect(contrast(luminance(low), DARK_BG)).toBeGreaterThanOrEqual(3);
    // Viridis' own start does not.
    expect(contrast(luminance(scaleColor(0)), DARK_BG)).toBeLessThan(1.5);
    expect(scaleColor(1, scaleStart(true))).toBe('rgb(253, 231, 37)');
  });

  it('draws the legend gradient with the same ends', () => {
    const g = scaleGradient(scaleStart(true));
    expect(g.startsWith('linear-gradient(to right, rgb(49, 107, 139)')).toBe(true);
    expect(g.endsWith('rgb(253, 231, 37))')).toBe(true);
  });
});

describe('log scale', () => {
  it('is used for positive ranges spanning two decades or more', () => {
    expect(isLogScale(0.0001, 0.01)).toBe(true);
    expect(isLogScale(1, 100)).toBe(true);
    expect(isLogScale(1, 99)).toBe(false);
    expect(isLogScale(0, 0.01)).toBe(false);
    expect(isLogScale(-1, 100)).toBe(false);
  });

  it('spreads decades evenly', () => {
    expect(scalePosition(0.001, 0.0001, 0.01, true)).toBeCloseTo(0.5);
    expect(scalePosition(0.001, 0.0001, 0.01, false)).toBeCloseTo(0.0909, 3);
    expect(scalePosition(3, 3, 3, true)).toBe(0.5);
  });
});

describe('colorRuns', () => {
  const runs = [0.0001, 0.0003, 0.001, 0.003, 0.01].map((lr, i) => run(`r${i}`, { lr }));
  const ids = runs.map(r => r.id);

  it('colours a learning-rate sweep on a log scale and says so', () => {
    const c = colorRuns(ids, runs, 'lr');
    expect(c.scale).toBe('log');
    expect(c.range).toEqual([0.0001, 0.01]);
    expect(c.colors.get('r2')).toBe(scaleColor(0.5));
    // Distinct, not crowded at the low end.
    expect(new Set(c.colors.values()).size).toBe(5);
  });

  it('uses a linear scale for a narrow range', () => {
    const narrow = [1, 2, 3].map((v, i) => run(`n${i}`, { depth: v }));
    const c = colorRuns(['n0', 'n1', 'n2'], narrow, 'depth');
    expect(c.scale).toBe('linear');
    expect(c.colors.get('n1')).toBe(scaleColor(0.5));
  });

  it('trims the dark end in the dark theme', () => {
    const c = colorRuns(ids, runs, 'lr', true);
    expect(c.colors.get('r0')).toBe('rgb(49, 107, 139)');
    expect(c.gradient).toBe(scaleGradient(scaleStart(true)));
  });

  it('has no scale when grouping or colouring by position', () => {
    expect(colorRuns(ids, runs, '').scale).toBeNull();
    const text = [run('a', { opt: 'sgd' }), run('b', { opt: 'adam' })];
    const c = colorRuns(['a', 'b'], text, 'opt');
    expect(c.scale).toBeNull();
    expect(c.groups.map(g => g[0])).toEqual(['"adam"', '"sgd"']);
  });
});
