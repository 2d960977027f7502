import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PortState, portState } from './proc-net.js';
import type { SideProcess } from './side-process.js';

/** How often the kernel's socket tables are read while waiting: observed, never slept on. */
export const POLL_MS = 2;

export type Readiness =
  | {
      readonly kind: 'ready';
      readonly atMs: number;
      readonly state: PortState;
      /** When the `exec` process was first seen running the program (`options.exec`). */
      readonly execAtMs?: number;
    }
  /** A watched process exited before the condition held. */
  | { readonly kind: 'exited'; readonly process: SideProcess }
  | { readonly kind: 'timeout'; readonly state: PortState | null }
  | { readonly kind: 'aborted' };

/**
 * Polls /proc/PID/net/tcp{,6} every POLL_MS until `condition` holds for `port`, a watched process
 * exits, the bound passes or the storm is stopped.
 */
export async function waitForPort(
  port: number,
  /** May be async, e.g. to check in /proc whose socket listens. */
  condition: (state: PortState) => boolean | Promise<boolean>,
  options: {
    readonly watch: readonly SideProcess[];
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
    /** A process in the network namespace the sockets live in (src/sandbox/launcher.ts). */
    readonly netPid?: number;
    /** Also note when this process first runs the program named `comm` (its start-up, for the record's phases). */
    readonly exec?: { readonly process: SideProcess; readonly comm: string };
  },
): Promise<Readiness> {
  const deadline = performance.now() + options.timeoutMs;
  let last: PortState | null = null;
  let execAtMs: number | undefined;
  for (;;) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    if (options.exec && execAtMs === undefined && runsProgram(options.exec.process, options.exec.comm))
      execAtMs = performance.now();
    last = await portState(port, options.netPid);
    if (await condition(last)) {
      const atMs = performance.now();
      return { kind: 'ready', atMs, state: last, ...(options.exec ? { execAtMs: execAtMs ?? atMs } : {}) };
    }
    const gone = options.watch.find((p) => !p.running());
    if (gone) return { kind: 'exited', process: gone };
    if (performance.now() > deadline) return { kind: 'timeout', state: last };
    await sleep(POLL_MS);
  }
}

/** `comm` as the kernel truncates it (15 bytes). */
export const commOf = (programName: string): string => programName.slice(0, 15);

/** Whether the process already runs the program (not still taskset, nsenter or setpriv): one read of its comm. */
function runsProgram(process: SideProcess, comm: string): boolean {
  const pid = process.programPid();
  if (pid === undefined) return false;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trimEnd() === comm;
  } catch {
    return false;
  }
}
