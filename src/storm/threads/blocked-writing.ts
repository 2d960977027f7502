import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isErrno } from '../../util/file-lock.js';
import type { Side } from '../../workload/side.js';

/**
 * Where a TCP sender sleeps when its send buffer is full: sk_stream_wait_memory, which on recent
 * kernels shows as the generic wait_woken it calls (a reader waiting for data shows the same, so
 * the socket tables decide).
 */
const SEND_WAITS = ['sk_stream_wait_memory', 'wait_woken'];

export interface WritingProbe {
  readonly pid: number;
  readonly side: Side;
  /** The iteration's port: the server's sockets have it as local port, the client's as remote. */
  readonly port: number;
}

/** Polls this many times 10 ms apart with the unsent bytes unchanged before calling the buffers full. */
const STILL_POLLS = 5;

/**
 * Polls until the judged side is stuck writing into a full socket buffer: its unsent bytes
 * (tx_queue of its sockets on the port) are above zero and did not move for STILL_POLLS polls, and
 * either one of its threads sleeps in the send wait (blocking sockets: iperf3 3.16+, the subject)
 * or the buffers stayed full for twice as long (non-blocking sockets behind select: iperf3 3.12).
 * `false` when `deadline` (performance.now()) passes.
 */
export async function waitBlockedWriting(
  probe: WritingProbe,
  deadline: number,
  signal?: AbortSignal,
): Promise<boolean> {
  let previous = -1;
  let still = 0;
  for (;;) {
    const queued = unsentBytes(probe);
    still = queued > 0 && queued === previous ? still + 1 : 0;
    if (still >= STILL_POLLS && (sleepsInSendWait(probe.pid) || still >= 2 * STILL_POLLS)) return true;
    previous = queued;
    if (performance.now() >= deadline || signal?.aborted) return false;
    await sleep(10);
  }
}

/**
 * Sum of tx_queue over the side's TCP sockets on the port, read from the process's own network
 * namespace (`/proc/PID/net/tcp`): in a sandbox the host's `/proc/net/tcp` does not list them.
 */
export function unsentBytes(probe: WritingProbe): number {
  let sum = 0;
  for (const table of [`/proc/${probe.pid}/net/tcp`, `/proc/${probe.pid}/net/tcp6`]) {
    const text = readOrEmpty(table);
    for (const line of text.split('\n')) {
      // "  0: 0100007F:4E21 0100007F:9FB2 01 00000000:00000000 ..." — local, remote, state, tx:rx.
      const [, local, remote, , queues] = line.trim().split(/\s+/);
      if (!local || !remote || !queues) continue;
      const mine = probe.side === 'server' ? local : remote;
      if (Number.parseInt(mine.slice(mine.lastIndexOf(':') + 1), 16) !== probe.port) continue;
      sum += Number.parseInt(queues.split(':')[0] ?? '0', 16);
    }
  }
  return sum;
}

function sleepsInSendWait(pid: number): boolean {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    if (gone(error)) return false;
    throw error;
  }
  return tids.some((tid) => {
    const wchan = readOrEmpty(`/proc/${pid}/task/${tid}/wchan`);
    return SEND_WAITS.some((w) => wchan.startsWith(w));
  });
}

/** A file of a process or thread that has exited (or a table the kernel lacks) reads as empty. */
function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    if (gone(error)) return '';
    throw error;
  }
}

/** The process or thread has exited: its /proc entries are gone (ENOENT) or refuse reads (ESRCH). */
function gone(error: unknown): boolean {
  return isErrno(error, 'ENOENT') || isErrno(error, 'ESRCH');
}
