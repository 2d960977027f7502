import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../util/file-lock.js';
import type { SandboxLimits } from './sandbox.schema.js';

/**
 * A cgroup per sandbox, when this process may create one (root, or a delegated cgroup v2 subtree):
 * it bounds one sandbox's processes (RLIMIT_NPROC counts every process of a host user: all of
 * nobody's, for root) and memory, which no rlimit can do without breaking ASan. Where none can be made the sandbox still runs, with
 * RLIMIT_NPROC only, and says so.
 */
export interface SandboxCgroup {
  /** `cgroup.procs` files a process writes its pid into to join (one per v1 hierarchy). */
  readonly procsFiles: readonly string[];
  readonly bounds: readonly ('processes' | 'memory')[];
  /** Kills whatever is left in it and removes it. */
  close(): Promise<void>;
}

const root = '/sys/fs/cgroup';
let counter = 0;

async function ownPath(controller: string): Promise<string | null> {
  const text = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers === undefined || path === undefined) continue;
    if (controllers.split(',').includes(controller)) return path;
  }
  return null;
}

async function tryMake(dir: string, files: Record<string, string>): Promise<boolean> {
  try {
    await mkdir(dir);
  } catch {
    return false;
  }
  try {
    for (const [file, value] of Object.entries(files)) await writeFile(join(dir, file), value);
    return true;
  } catch {
    await rmdir(dir).catch(() => undefined);
    return false;
  }
}

const ours = /^sigstorm-sandbox-(\d+)-\d+$/;
const swept = new Set<string>();

/**
 * Removes the sandbox cgroups a sigstorm that died (killed before its `close`) left next to ours,
 * killing what they still hold: once per parent directory and process.
 */
async function sweepStale(parent: string): Promise<void> {
  if (swept.has(parent)) return;
  swept.add(parent);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(ours.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await emptyAndRemove(join(parent, name)).catch(() => undefined);
  }
}

export async function openCgroup(limits: SandboxLimits): Promise<SandboxCgroup | null> {
  const name = `sigstorm-sandbox-${process.pid}-${++counter}`;
  const memory = String(limits.memoryMiB * 1024 * 1024);
  const pids = String(limits.processes);
  const dirs: string[] = [];
  const bounds: ('processes' | 'memory')[] = [];
  if (existsSync(join(root, 'cgroup.controllers'))) {
    const own = (await ownPath('')) ?? '/';
    // A sibling of our own cgroup: a v2 process may not sit in a cgroup that has children with controllers.
    const dir = join(root, own, '..', name);
    await sweepStale(join(root, own, '..'));
    if (await tryMake(dir, { 'pids.max': pids, 'memory.max': memory, 'memory.swap.max': '0' })) {
      dirs.push(dir);
      bounds.push('processes', 'memory');
    }
  } else {
    for (const [controller, files, bound] of [
      ['pids', { 'pids.max': pids }, 'processes'],
      ['memory', { 'memory.limit_in_bytes': memory }, 'memory'],
    ] as const) {
      const own = await ownPath(controller);
      if (own === null) continue;
      const dir = join(root, controller, own, name);
      await sweepStale(join(root, controller, own));
      if (await tryMake(dir, files)) {
        dirs.push(dir);
        bounds.push(bound);
      }
    }
  }
  if (dirs.length === 0) return null;
  return {
    procsFiles: dirs.map((dir) => join(dir, 'cgroup.procs')),
    bounds,
    close: async () => {
      for (const dir of dirs) await emptyAndRemove(dir);
    },
  };
}

async function emptyAndRemove(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const pids = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw error;
    }
    await sleep(10);
  }
  throw new Error(`cgroup ${dir} still holds processes 5 s after they were killed`);
}
