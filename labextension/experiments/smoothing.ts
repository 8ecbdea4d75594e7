/**
 * Smoothing of metric curves as TensorBoard and W&B do it: an exponential moving
 * average, debiased (the first points are not pulled towards 0), and time-weighted so
 * that a series with uneven gaps between points (a downsampled one, or a run that logged
 * at changing rates) decays by the distance travelled along x, not by the point count.
 */

/**
 * The smoothed values of `ys` over ascending `xs` with `weight` in [0, 1).
 *
 * With evenly spaced points this is TensorBoard's debiased EMA:
 * `s_n = (Σ_k w^(n-k) y_k) / (Σ_k w^(n-k))`. With uneven spacing each step decays by
 * `w^(Δx / mean Δx)`. Non-finite values (null) stay gaps and do not enter the average.
 * `weight` 0 returns the values as they are.
 */
export function smoothEma(
  xs: ArrayLike<number>,
  ys: ArrayLike<number | null>,
  weight: number
): (number | null)[] {
  const n = Math.min(xs.length, ys.length);
  const out: (number | null)[] = new Array(n);
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0 || n === 0) {
    for (let i = 0; i < n; i++) {
      out[i] = ys[i];
    }
    return out;
  }
  const span = n > 1 ? (xs[n - 1] - xs[0]) / (n - 1) : 1;
  const unit = span > 0 ? span : 1;
  let sum = 0;
  let norm = 0;
  let prevX: number | null = null;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (y === null || !Number.isFinite(y)) {
      out[i] = null;
      continue;
    }
    const decay = prevX === null ? 0 : Math.pow(w, Math.max(0, xs[i] - prevX) / unit);
    sum = sum * decay + y;
    norm = norm * decay + 1;
    prevX = xs[i];
    out[i] = sum / norm;
  }
  return out;
}
