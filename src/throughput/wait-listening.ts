import { readdir, readFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const listenState = '0A';

/** Inodes of the sockets listening on `port` (IPv4 and IPv6) in the network namespace of `pid`. */
async function listeningInodes(pid: number, port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const local = fields[1];
      if (fields[3] === listenState && local?.endsWith(`:${portHex}`) && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** Does process `pid` itself hold a socket listening on `port`? (Not some other process on the same port.) */
export async function isListening(pid: number, port: number): Promise<boolean> {
  const inodes = await listeningInodes(pid, port);
  if (inodes.size === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && inodes.has(inode)) return true;
  }
  return false;
}

export type ListenWait = 'listening' | 'exited' | 'timeout';

/**
 * Waits until process `pid` listens on `port`, observed in /proc, polling every few milliseconds;
 * stops early when `hasExited()` says the process is gone (it failed to start).
 */
export async function waitUntilListening(
  pid: number | (() => number | undefined),
  port: number,
  options: { timeoutMs: number; hasExited: () => boolean; signal?: AbortSignal | undefined },
): Promise<ListenWait> {
  const deadline = performance.now() + options.timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    options.signal?.throwIfAborted();
    if (options.hasExited()) return 'exited';
    // In a sandbox the server's pid is known once nsenter has forked it.
    const program = typeof pid === 'number' ? pid : pid();
    if (program !== undefined && (await isListening(program, port))) return 'listening';
    if (performance.now() >= deadline) return 'timeout';
    await sleep(delay);
  }
}
