/**
 * Helpers for tests that run iperf3-like programs on loopback. Readiness is observed in /proc, never
 * read from stdout: iperf3 block-buffers its output when it goes to a pipe.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultPromise } from 'execa';
import { waitUntilListening } from '../../src/throughput/wait-listening.js';

export { findFreePort } from '../../src/throughput/free-port.js';

/** Waits (bounded) until `child` listens on `port`; throws with the reason otherwise. */
export async function waitListening(child: ResultPromise, port: number, timeoutMs = 10_000): Promise<void> {
  if (child.pid === undefined) throw new Error('the server did not start');
  const state = await waitUntilListening(child.pid, port, {
    timeoutMs,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
  });
  if (state !== 'listening') throw new Error(`server on port ${port}: ${state} before listening`);
}

/** Established TCP connections whose local port is `port` (a server's accepted connections). */
export async function establishedOn(port: number): Promise<number> {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const table = await readFile(file, 'utf8');
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '01' && fields[1]?.endsWith(portHex)) count++;
    }
  }
  return count;
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
