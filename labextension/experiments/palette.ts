/**
 * Line colours for runs, readable on both the light and the dark theme: mid-lightness,
 * saturated hues (no near-black or near-white), the first ten hand-picked and the rest
 * spread around the hue circle by the golden angle so neighbours stay apart.
 */
const BASE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#17becf',
  '#e377c2',
  '#bcbd22',
  '#8c7ae6',
  '#e1a030'
];

export function runColor(index: number): string {
  if (index < BASE.length) {
    return BASE[index];
  }
  const hue = Math.round((index * 137.508) % 360);
  const lightness = 48 + (index % 3) * 6;
  return `hsl(${hue}, 65%, ${lightness}%)`;
}
