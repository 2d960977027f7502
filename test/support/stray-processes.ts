/**
 * Shared test helper: processes a storm may have left behind. Reads /proc directly (no `ps`), so a
 * test can assert "nothing of it is left": no live child of the test process, and no process running
 * the storm's binary with a port from the storm's lanes.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  readonly argv: readonly string[];
}

async function readProcess(pid: number): Promise<ProcessInfo | null> {
  try {
    const [stat, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    // The command name is in parentheses and may contain spaces: fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      state: fields[0] ?? '?',
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      argv: cmdline.split('\0').filter((a) => a !== ''),
    };
  } catch {
    return null; // exited while we looked
  }
}

export async function listProcesses(): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const all = await Promise.all(pids.map(readProcess));
  return all.filter((p): p is ProcessInfo => p !== null);
}

/**
 * Every process but those of the other test files running beside this one: a process below a
 * sibling of this one (another worker of the test runner, our parent) is theirs; below this one, or
 * orphaned (adopted by init or a subreaper), it may be what this file's storms left behind. Test
 * files share the built subject of the test cache, so "runs a cached binary" alone is not "ours".
 */
export async function listProcessesNotOfOtherFiles(
  self: { readonly pid: number; readonly ppid: number } = process,
): Promise<ProcessInfo[]> {
  const all = await listProcesses();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const underSibling = (p: ProcessInfo): boolean => {
    for (let at: ProcessInfo | undefined = p; at !== undefined; at = byPid.get(at.ppid)) {
      if (at.pid === self.pid) return false;
      if (at.ppid === self.ppid) return true;
      if (at.ppid <= 1) return false;
    }
    return false;
  };
  return all.filter((p) => !underSibling(p));
}

/**
 * Processes running `binary` with `-p <port>` for a port in `ports`, and children of `parentPid`
 * that a storm starts (the binary, taskset, gdb); other children (esbuild…) are not the storm's.
 */
export async function strayProcesses(options: {
  readonly binary?: string;
  readonly ports?: readonly number[];
  readonly parentPid?: number;
}): Promise<ProcessInfo[]> {
  const ports = new Set((options.ports ?? []).map(String));
  return (await listProcesses()).filter((p) => {
    const ours =
      (options.binary !== undefined && p.argv.includes(options.binary)) ||
      /(^|\/)(taskset|gdb)$/.test(p.argv[0] ?? '');
    if (options.parentPid !== undefined && p.ppid === options.parentPid && ours) return true;
    if (!options.binary || !p.argv.includes(options.binary)) return false;
    const port = p.argv[p.argv.indexOf('-p') + 1];
    return port !== undefined && ports.has(port);
  });
}

/** Command lines of processes anywhere on the machine that hold `marker` (a test's unique sleep length). */
export async function processesMatching(marker: string): Promise<string[]> {
  return (await listProcesses())
    .filter((p) => p.argv.join(' ').includes(marker))
    .map((p) => p.argv.join(' '));
}
