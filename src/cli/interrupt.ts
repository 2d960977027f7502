/**
 * Ctrl-C and SIGTERM for a command: the first one aborts the returned signal so the command stops
 * its children (process groups) and removes what it had half-written; main then exits 130. A second
 * one exits at once.
 */
let interrupted = false;

export function wasInterrupted(): boolean {
  return interrupted;
}

export interface Interruptible {
  readonly signal: AbortSignal;
  /** Stops listening; call when the command is done. */
  dispose(): void;
}

export function onInterrupt(): Interruptible {
  const controller = new AbortController();
  const stop = (): void => {
    // A second Ctrl-C means "now": the first one's cleanup is taking too long for the user.
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
