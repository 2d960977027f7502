import { readdir, readFile, readlink } from 'node:fs/promises';
import { portState } from './proc-net.js';

/** What still holds an iteration's port once every process of the iteration has exited. */
export interface PortHeld {
  readonly port: number;
  readonly listening: boolean;
  readonly established: number;
  /** Who holds the listening sockets (found in /proc/PID/fd; may be empty if they left meanwhile). */
  readonly holders: readonly { readonly pid: number; readonly comm: string }[];
}

/**
 * After the iteration's processes exited, their sockets belong to the kernel alone: a listening or
 * established socket on the port has another owner, e.g. a child the server forked (a daemon, a
 * helper that inherited the descriptor). Closing states (FIN_WAIT, TIME_WAIT…) are normal and do
 * not count. `netPid`: a process in the network namespace of the storm (src/sandbox/launcher.ts).
 * Returns `null` when the port is released.
 */
export async function portHeldAfterExit(port: number, netPid?: number): Promise<PortHeld | null> {
  const state = await portState(port, netPid);
  if (!state.listening && state.established === 0) return null;
  return {
    port,
    listening: state.listening,
    established: state.established,
    holders: await socketHolders(state.listeningInodes),
  };
}

/** The processes with one of these socket inodes open: a walk over /proc/[pid]/fd, done only when a port is held. */
async function socketHolders(inodes: readonly string[]): Promise<{ pid: number; comm: string }[]> {
  if (inodes.length === 0) return [];
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  const holders: { pid: number; comm: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      if (!wanted.has(target)) continue;
      const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '?');
      holders.push({ pid: Number(entry), comm: comm.trim() });
      break;
    }
  }
  return holders;
}
