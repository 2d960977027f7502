import { setTimeout as sleep } from 'node:timers/promises';
import { type PortState, portState } from './proc-net.js';
import type { SideProcess } from './side-process.js';

/** How often the kernel's socket tables are read while waiting: observed, never slept on. */
export const POLL_MS = 2;

export type Readiness =
  | { readonly kind: 'ready'; readonly atMs: number; readonly state: PortState }
  /** A watched process exited before the condition held. */
  | { readonly kind: 'exited'; readonly process: SideProcess }
  | { readonly kind: 'timeout'; readonly state: PortState | null }
  | { readonly kind: 'aborted' };

/**
 * Polls /proc/net/tcp{,6} every POLL_MS until `condition` holds for `port`, a watched process
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
  },
): Promise<Readiness> {
  const deadline = performance.now() + options.timeoutMs;
  let last: PortState | null = null;
  for (;;) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    last = await portState(port);
    if (await condition(last)) return { kind: 'ready', atMs: performance.now(), state: last };
    const gone = options.watch.find((p) => !p.running());
    if (gone) return { kind: 'exited', process: gone };
    if (performance.now() > deadline) return { kind: 'timeout', state: last };
    await sleep(POLL_MS);
  }
}
