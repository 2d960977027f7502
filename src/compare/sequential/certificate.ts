/**
 * How many iterations in a row must all come out the same (all clean, or all failing) before a
 * side's failure rate is shown to be within `tolerance` of 0 (or of 1) with error at most `beta`:
 * if the true rate were `tolerance` or more, n clean iterations in a row happen with probability
 * (1 − tolerance)^n ≤ beta. Looking after every batch costs nothing: "the first n were clean" is
 * one event however often one looks. With beta = 0.05 this is the rule of three, n ≈ 3 / tolerance.
 */
export function certificateIterations(tolerance: number, beta: number): number {
  if (!(tolerance > 0 && tolerance < 1 && beta > 0 && beta < 1)) {
    throw new RangeError(`certificateIterations: need 0 < tolerance, beta < 1 (got ${tolerance}, ${beta})`);
  }
  return Math.ceil(Math.log(beta) / Math.log1p(-tolerance));
}
