import { isErrno } from './file-lock.js';

/** Sends `signal` to every process of the group led by `pid` (a child started with `detached: true`). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we want.
    if (!isErrno(error, 'ESRCH')) throw error;
  }
}

/**
 * On abort, stops the group led by `pid`: SIGTERM, then SIGKILL after `graceMs` for what ignored it.
 * Returns the cleanup to call once the leader has exited (it SIGKILLs leftovers when aborted).
 */
export function stopGroupOnAbort(
  pid: number | undefined,
  signal: AbortSignal | undefined,
  graceMs = 3000,
): () => void {
  let escalate: NodeJS.Timeout | undefined;
  const stop = (): void => {
    killGroup(pid, 'SIGTERM');
    escalate = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
  };
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  return () => {
    clearTimeout(escalate);
    signal?.removeEventListener('abort', stop);
    // Helpers the leader started (git remote-http, compilers under make) belong to the same group.
    if (signal?.aborted) killGroup(pid, 'SIGKILL');
  };
}
