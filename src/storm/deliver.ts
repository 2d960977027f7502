import type { SignalName } from '../workload/signal-name.js';
import { sleepUntil } from './precise-sleep.js';
import type { SideProcess } from './side-process.js';

export interface PlannedSignal {
  readonly signal: SignalName;
  /** Gap before this signal (after the moment for the first), drawn from the workload's window. */
  readonly gapMs: number;
}

export interface DeliveredSignal extends PlannedSignal {
  /** When kill() was called, in ms after the first signal's planned time. */
  readonly atMs: number;
  /** `false` when the process had already exited. */
  readonly delivered: boolean;
}

/**
 * Delivers a pattern with millisecond-accurate gaps. A 0 ms gap means back-to-back kill() calls in
 * the same tick: nothing else runs in between, so the signals are pending together.
 */
export async function deliverPattern(
  target: SideProcess,
  plan: readonly PlannedSignal[],
  startAt: number,
  signal?: AbortSignal,
): Promise<DeliveredSignal[]> {
  const delivered: DeliveredSignal[] = [];
  // Each gap counts from when the previous kill() really ran, so a late timer never shortens a gap.
  let previous = startAt;
  for (const step of plan) {
    const due = previous + step.gapMs;
    if (due > performance.now()) await sleepUntil(due, signal);
    const sent = target.running() && target.signal(step.signal);
    previous = performance.now();
    delivered.push({ ...step, atMs: round(previous - startAt), delivered: sent });
  }
  return delivered;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
