import { setTimeout as sleep } from 'node:timers/promises';

/** Below this many milliseconds a timer is too coarse: the rest is spun on the clock. */
const SPIN_MS = 2;

/**
 * Waits until `deadline` (a performance.now() value) with millisecond accuracy: a timer for the
 * bulk, then a short spin, because Node timers fire up to a millisecond or more late.
 */
export async function sleepUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  const coarse = deadline - performance.now() - SPIN_MS;
  if (coarse > 0) await sleep(coarse, undefined, signal ? { signal } : undefined);
  while (performance.now() < deadline) {
    // spin: at most SPIN_MS, so that a 1 ms gap between two signals is a 1 ms gap
  }
}
