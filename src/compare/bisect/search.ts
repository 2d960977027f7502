/**
 * The binary search of a bisection over candidates 0 (the good point) … n (the bad point): `good`
 * is the highest candidate shown good, `bad` the lowest shown bad. Each probe halves the range
 * between them; the first bad candidate is `bad` once the two are neighbours.
 */
export interface SearchRange {
  readonly good: number;
  readonly bad: number;
}

/** The next candidate to test, or null when the range is down to its first bad candidate. */
export function nextProbe(range: SearchRange): number | null {
  if (range.bad - range.good <= 1) return null;
  return Math.floor((range.good + range.bad) / 2);
}

export function narrow(range: SearchRange, probe: number, verdict: 'good' | 'bad'): SearchRange {
  if (!(probe > range.good && probe < range.bad)) {
    throw new RangeError(`narrow: probe ${probe} is outside (${range.good}, ${range.bad})`);
  }
  return verdict === 'bad' ? { good: range.good, bad: probe } : { good: probe, bad: range.bad };
}
