import type { ValidateProgress } from '../../pipeline/request/contract.js';

export interface ProgressReporter<P extends { readonly phase: string } = ValidateProgress> {
  /** Called by the pipeline on every step; cheap, never throws, never waits. */
  readonly push: (progress: P) => void;
  /** Waits for the update in flight (if any), so that nothing lands after the final one. */
  readonly close: () => Promise<void>;
}

/**
 * Turns the pipeline's stream of progress into few check-run updates: a phase change at once, else
 * at most one per `intervalMs`. Updates never overlap; one failing is reported, not thrown.
 */
export function progressReporter<P extends { readonly phase: string } = ValidateProgress>(
  send: (progress: P) => Promise<void>,
  options: { intervalMs: number; onError: (error: unknown) => void; now?: () => number },
): ProgressReporter<P> {
  const now = options.now ?? Date.now;
  let lastSent = Number.NEGATIVE_INFINITY;
  let lastPhase: string | undefined;
  let inFlight: Promise<void> | undefined;
  let pending: P | undefined;
  let closed = false;

  const flush = (): void => {
    if (inFlight || !pending || closed) return;
    const progress = pending;
    pending = undefined;
    lastSent = now();
    lastPhase = progress.phase;
    inFlight = send(progress)
      .catch(options.onError)
      .finally(() => {
        inFlight = undefined;
        // A phase change that arrived while sending goes out right after.
        if (pending && pending.phase !== lastPhase) flush();
      });
  };

  return {
    push(progress) {
      if (closed) return;
      const phaseChanged = progress.phase !== lastPhase;
      pending = progress;
      if (phaseChanged || now() - lastSent >= options.intervalMs) flush();
    },
    async close() {
      closed = true;
      while (inFlight) await inFlight;
    },
  };
}
