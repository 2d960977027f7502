/**
 * Holm–Bonferroni adjusted p-values (R: `p.adjust(p, "holm")`): reject every hypothesis whose
 * adjusted p-value is below α and the family-wise false-alarm rate stays at most α, whatever the
 * dependence between the tests. Uniformly more powerful than plain Bonferroni.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p || a.index - b.index);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`holmAdjust: p-value ${p} is not in [0, 1]`);
    // Monotone step-down: an adjusted p-value never falls below the one ranked before it.
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
