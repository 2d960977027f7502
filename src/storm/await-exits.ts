import { setTimeout as sleep } from 'node:timers/promises';
import { captureBacktrace } from '../classify/backtrace.js';
import type { SideExit, SideProcess } from './side-process.js';

export interface Ended {
  readonly exit: SideExit;
  /** Still running at the deadline: a hang, killed by the harness after `backtrace` was taken. */
  readonly timedOut: boolean;
  readonly backtrace?: string;
}

/**
 * Waits until every process has exited or the deadline passes. Whatever still runs then is a hang:
 * all their backtraces are taken first (killing one would unblock the other), then their groups are
 * SIGKILLed. Returns `null` when the storm is stopped meanwhile (the caller kills and discards).
 */
export async function awaitExits(
  processes: readonly SideProcess[],
  deadline: number,
  signal?: AbortSignal,
): Promise<Map<SideProcess, Ended> | null> {
  const controller = new AbortController();
  const timer = sleep(Math.max(0, deadline - performance.now()), 'deadline' as const, {
    signal: controller.signal,
  }).catch(() => 'cancelled' as const);
  let onAbort = (): void => undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const all = Promise.all(processes.map((p) => p.exited)).then(() => 'exited' as const);
  const first = await Promise.race([all, timer, aborted]);
  controller.abort();
  signal?.removeEventListener('abort', onAbort);
  if (first === 'aborted') return null;

  const hung = processes.filter((p) => p.running());
  const backtraces = new Map<SideProcess, string>();
  for (const p of hung) {
    const pid = p.programPid();
    if (pid !== undefined && p.running())
      backtraces.set(p, await captureBacktrace(pid, { launcher: p.launcher }));
  }
  for (const p of backtraces.keys()) p.kill();

  const ended = new Map<SideProcess, Ended>();
  for (const p of processes) {
    const exit = await p.exited;
    const backtrace = backtraces.get(p);
    ended.set(p, backtrace === undefined ? { exit, timedOut: false } : { exit, timedOut: true, backtrace });
  }
  return ended;
}
