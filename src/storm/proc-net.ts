import { readFileSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';

/** TCP states as the kernel writes them in /proc/net/tcp (include/net/tcp_states.h). */
const ESTABLISHED = 0x01;
const TIME_WAIT = 0x06;
const LISTEN = 0x0a;

/** What the kernel says about one local TCP port, over IPv4 and IPv6. */
export interface PortState {
  readonly listening: boolean;
  /** Socket inodes of the listening sockets: whose they are is in /proc/PID/fd (see `holdsSocket`). */
  readonly listeningInodes: readonly string[];
  /** Established sockets whose local port is this one: the server's ends of accepted connections. */
  readonly established: number;
  /** Sockets in TIME_WAIT on this port: harmless, iperf3 binds with SO_REUSEADDR. */
  readonly timeWait: number;
  /** Any other socket on the port (SYN_RECV, CLOSE_WAIT…): the port is not free. */
  readonly other: number;
}

/** A process that has exited, or an fd it closed meanwhile, is absent from /proc: that is an answer, not an error. */
function gone<T>(value: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return value;
    throw error;
  };
}

/**
 * Read synchronously: a table of the storm's network namespace is a few lines, read in well under a
 * millisecond, while fs.promises takes four thread-pool round trips (open, fstat, read, close), each
 * waiting for a core on a loaded machine (alone, no gain was measured: bench/README.md).
 */
function readTable(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    // tcp6 is absent on kernels without IPv6: no sockets there.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * Reads the TCP tables once and returns the state of every port asked for. `netPid`: a process in
 * the network namespace to look at (a storm's sandbox has its own); default this process's.
 */
export async function portStates(
  ports: readonly number[],
  netPid: number = process.pid,
): Promise<Map<number, PortState>> {
  const net = `/proc/${netPid}/net`;
  const [v4, v6] = [readTable(`${net}/tcp`), readTable(`${net}/tcp6`)];
  const wanted = new Set(ports);
  const counts = new Map<
    number,
    { listening: boolean; listeningInodes: string[]; established: number; timeWait: number; other: number }
  >();
  for (const port of ports) {
    counts.set(port, { listening: false, listeningInodes: [], established: 0, timeWait: 0, other: 0 });
  }
  for (const table of [v4, v6]) {
    for (const line of table.split('\n')) {
      // "  0: 0100007F:4E21 0100007F:9FB2 01 …" — local address:port, remote, state (hex), … inode (10th).
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      if (!local || !state) continue;
      const colon = local.lastIndexOf(':');
      if (colon < 0) continue;
      const port = Number.parseInt(local.slice(colon + 1), 16);
      if (!wanted.has(port)) continue;
      const entry = counts.get(port);
      if (!entry) continue;
      const st = Number.parseInt(state, 16);
      if (st === LISTEN) {
        entry.listening = true;
        if (fields[9]) entry.listeningInodes.push(fields[9]);
      } else if (st === ESTABLISHED) entry.established++;
      else if (st === TIME_WAIT) entry.timeWait++;
      else entry.other++;
    }
  }
  return counts;
}

export async function portState(port: number, netPid?: number): Promise<PortState> {
  const state = (await portStates([port], netPid)).get(port);
  if (!state) throw new Error(`no state for port ${port}`);
  return state;
}

/** Does process `pid` hold one of these sockets (by inode)? Another process on the same port does not count. */
export async function holdsSocket(pid: number, inodes: readonly string[]): Promise<boolean> {
  if (inodes.length === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(gone([]));
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(gone(''));
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && inodes.includes(inode)) return true;
  }
  return false;
}
