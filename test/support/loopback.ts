/**
 * Helpers for tests that run iperf3-like programs on loopback. Readiness is observed in /proc, never
 * read from stdout: iperf3 block-buffers its output when it goes to a pipe.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultPromise } from 'execa';
import { holdsSocket, portState } from '../../src/storm/proc-net.js';

export { findFreePort } from '../../src/throughput/free-port.js';

/** Waits (bounded) until `child` itself listens on `port`; throws with the reason otherwise. */
export async function waitListening(child: ResultPromise, port: number, timeoutMs = 10_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server did not start');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const state = await portState(port);
    if (await holdsSocket(pid, state.listeningInodes)) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server on port ${port}: exited before listening`);
    }
    if (performance.now() > deadline) throw new Error(`server on port ${port}: timeout before listening`);
    await sleep(5);
  }
}

/** Established TCP connections whose local port is `port` (a server's accepted connections). */
export async function establishedOn(port: number): Promise<number> {
  return (await portState(port)).established;
}

/** Waits (bounded) until the server on `port` holds at least `connections` established connections. */
export async function waitConnections(port: number, connections: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await establishedOn(port)) >= connections) return;
    if (performance.now() > deadline)
      throw new Error(`fewer than ${connections} connections on ${port} after ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Kills (SIGKILL) each child of ours that is still running and waits for it to be reaped. */
export async function killAll(children: ResultPromise[]): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await child.catch(() => undefined);
  }
}
