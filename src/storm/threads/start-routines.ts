import { readdir, readFile, readlink } from 'node:fs/promises';
import { execa } from 'execa';
import { runsAsRoot } from '../../sandbox/host-identity.js';

/**
 * Frames of the sanitizer runtimes and libc between `start_thread` and the program's own start
 * routine (ASan's and TSan's pthread_create interceptors wrap it).
 */
const runtime = /^(__)?(asan|tsan|ubsan|lsan|sanitizer|interceptor)|^(start_thread|__clone3?|clone3?)$/i;

/**
 * Each thread's start routine (tid → function name), from one `eu-stack` text: the outermost frame
 * of the program's own below `start_thread`. The main thread (no start_thread) has none.
 */
export function parseStartRoutines(text: string): Map<number, string | bigint> {
  const starts = new Map<number, string | bigint>();
  let tid: number | null = null;
  let frames: { pc: bigint; name: string | undefined }[] = [];
  const flush = () => {
    const below = frames.findIndex((f) => f.name === 'start_thread');
    if (tid !== null && below > 0) {
      const own = frames.slice(0, below).filter((f) => f.name === undefined || !runtime.test(f.name));
      const start = own.at(-1);
      // A frame eu-stack could not name (a binary at a path only the sandbox sees): its address.
      if (start) starts.set(tid, start.name ?? start.pc);
    }
    frames = [];
  };
  for (const line of text.split('\n')) {
    const header = /^TID (\d+):/.exec(line);
    if (header) {
      flush();
      tid = Number(header[1]);
      continue;
    }
    // "#3  0x000055c1d79cb275 iperf_client_worker_run" (eu-stack may add " - file:line" or args).
    const frame = /^#\d+\s+(0x[0-9a-f]+)(?:\s+(?:- \d+\s+)?([^\s(@]+))?/.exec(line);
    if (frame?.[1]) {
      const name = frame[2]?.replace(/\.(part|isra|constprop|cold)\.\d+.*$/, '');
      frames.push({ pc: BigInt(frame[1]), name });
    }
  }
  flush();
  return starts;
}

/** How long the snapshot may take before the pattern goes on without names. */
const SNAPSHOT_BOUND_MS = 2000;

/**
 * One stack snapshot of a running process (eu-stack attaches for a few milliseconds), read for the
 * threads' start routines. An empty map when eu-stack is missing, the process is gone or the
 * snapshot takes longer than its bound: names are evidence for the census table, never a verdict.
 */
export async function startRoutines(pid: number, signal?: AbortSignal): Promise<Map<number, string>> {
  const how = await snapshotCommand(pid);
  if (!how) return new Map();
  const run = await execa(how.file, how.args, {
    reject: false,
    timeout: SNAPSHOT_BOUND_MS,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  if (run.failed && !run.stdout) return new Map();
  const named = new Map<number, string>();
  for (const [tid, start] of parseStartRoutines(run.stdout)) {
    const name = typeof start === 'string' ? start : await symbolize(pid, start);
    const hostTid = how.hostTid.get(tid) ?? tid;
    if (name) named.set(hostTid, name);
  }
  return named;
}

/**
 * How to take the snapshot. A sandboxed program's files are where its mount namespace has them
 * (`/sigstorm/bin/iperf3`), which the host does not: eu-stack could not read the program's unwind
 * tables and would stop at its first frame. So eu-stack runs in the program's namespaces (joined as
 * the launcher joins them: ../../sandbox/launcher.ts), on the program's pid there, and the thread ids
 * it prints map back to the host's.
 */
async function snapshotCommand(
  pid: number,
): Promise<{ file: string; args: string[]; hostTid: Map<number, number> } | undefined> {
  const ns = (who: string, kind: string) => readlink(`/proc/${who}/ns/${kind}`).catch(() => '');
  const [mine, theirs, myUser, theirUser] = await Promise.all([
    ns('self', 'mnt'),
    ns(String(pid), 'mnt'),
    ns('self', 'user'),
    ns(String(pid), 'user'),
  ]);
  if (!theirs) return undefined;
  if (mine === theirs) return { file: 'eu-stack', args: ['-p', String(pid)], hostTid: new Map() };
  const hostTid = new Map<number, number>();
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const task of tasks) {
    const status = await readFile(`/proc/${pid}/task/${task}/status`, 'utf8').catch(() => '');
    const inner = /^NSpid:.*\s(\d+)$/m.exec(status)?.[1];
    if (inner) hostTid.set(Number(inner), Number(task));
  }
  // The main thread is a task too: its id there is the process's pid there.
  const innerPid = [...hostTid].find(([, host]) => host === pid)?.[0];
  if (innerPid === undefined) return undefined;
  const user = myUser === theirUser ? [] : ['-U', ...(runsAsRoot() ? [] : ['--preserve-credentials'])];
  return {
    file: 'nsenter',
    args: ['-t', String(pid), ...user, '-m', '-p', '-r', '-w', '--', 'eu-stack', '-p', String(innerPid)],
    hostTid,
  };
}

/**
 * The function at `pc` in a process whose files live in another mount namespace (the sandbox):
 * the mapping that holds it (/proc/PID/maps), read through /proc/PID/root with addr2line.
 */
async function symbolize(pid: number, pc: bigint): Promise<string | undefined> {
  let maps: string;
  try {
    maps = await readFile(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of maps.split('\n')) {
    // "55c1d79b9000-55c1d79d5000 r-xp 00004000 fe:01 1234   /tree/src/iperf3"
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s+(\/.*)$/.exec(line);
    if (!m?.[1] || !m[2] || !m[3] || !m[4]) continue;
    const [low, high] = [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)];
    if (pc < low || pc >= high) continue;
    const offset = pc - low + BigInt(`0x${m[3]}`);
    const found = await execa(
      'addr2line',
      ['-f', '-e', `/proc/${pid}/root${m[4]}`, `0x${offset.toString(16)}`],
      {
        reject: false,
        timeout: SNAPSHOT_BOUND_MS,
      },
    );
    const name = found.stdout.split('\n')[0]?.trim();
    return name && name !== '??' ? name : undefined;
  }
  return undefined;
}
