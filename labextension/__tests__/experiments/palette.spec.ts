import { runColor } from '../../experiments/palette';

describe('runColor', () => {
  it('gives ten distinct hand-picked colours, then mid-lightness hues', () => {
    const first = Array.from({ length: 10 }, (_, i) => runColor(i));
    expect(new Set(first).size).toBe(10);
    first.forEach(c => expect(c).toMatch(/^#[0-9a-f]{6}$/));
    const more = Array.from({ length: 40 }, (_, i) => runColor(10 + i));
    more.forEach(c => {
      const [, hue, lightness] = /^hsl\((\d+), 65%, (\d+)%\)$/.exec(c)!.map(Number);
      expect(hue).toBeLessThan(360);
      expect(lightness).toBeGreaterThanOrEqual(48);
      expect(lightness).toBeLessThanOrEqual(60);
    });
    expect(runColor(11)).not.toBe(runColor(12));
    expect(runColor(3)).toBe(runColor(3));
  });
});
