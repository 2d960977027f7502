/** Judged iterations of one side of a cell and how many of them failed. */
export interface BinomialCount {
  /** Iterations with a verdict on the code under test (harness errors excluded). */
  readonly n: number;
  readonly failures: number;
}

/** Throws on counts no storm can produce: a caller bug, not a user error. */
export function checkCount(count: BinomialCount, what = 'count'): void {
  const { n, failures } = count;
  if (!Number.isInteger(n) || !Number.isInteger(failures) || n < 0 || failures < 0 || failures > n) {
    throw new RangeError(`${what}: expected integers 0 <= failures <= n, got ${failures} of ${n}`);
  }
}

/** The observed failure rate, or `null` when nothing was judged. */
export function rateOf(count: BinomialCount): number | null {
  checkCount(count);
  return count.n === 0 ? null : count.failures / count.n;
}
