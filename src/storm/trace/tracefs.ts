import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../util/file-lock.js';

/** Where the kernel's tracing filesystem lives (the first that holds it). */
const candidates = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
const prefix = 'sigstorm-';

export type TracefsRoot = { kind: 'usable'; root: string } | { kind: 'off'; why: string };

/**
 * The tracefs root, or why it is not usable. As trace-cmd and perf do, a root sigstorm mounts
 * tracefs at /sys/kernel/tracing when nothing is mounted there (the mount holds no tracing state).
 */
export function findTracefs(env: NodeJS.ProcessEnv = process.env): TracefsRoot {
  if (env.SIGSTORM_TRACE === '0') return { kind: 'off', why: 'turned off by SIGSTORM_TRACE=0' };
  const found = candidates.find((dir) => existsSync(join(dir, 'instances')));
  if (found) return usableOrWhy(found);
  if (process.getuid?.() !== 0) {
    return {
      kind: 'off',
      why: 'tracefs is not mounted and sigstorm does not run as root (run it with sudo to trace signals)',
    };
  }
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'pipe' });
  } catch (error) {
    return { kind: 'off', why: `tracefs is not mounted and mounting it failed: ${firstLine(error)}` };
  }
  return usableOrWhy('/sys/kernel/tracing');
}

function usableOrWhy(root: string): TracefsRoot {
  if (!existsSync(join(root, 'events', 'signal', 'signal_deliver'))) {
    return { kind: 'off', why: `this kernel has no signal tracepoints under ${root}/events/signal` };
  }
  try {
    readdirSync(join(root, 'instances'));
  } catch (error) {
    return {
      kind: 'off',
      why: `${root}/instances is not readable: ${firstLine(error)} (tracing needs root)`,
    };
  }
  return { kind: 'usable', root };
}

/** The instance name of process `pid`: concurrent sigstorm processes never share one. */
export function instanceName(pid: number): string {
  return `${prefix}${pid}`;
}

/** Removes instances of sigstorm processes that are gone (killed before they could clean up). */
export function sweepStaleInstances(root: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(join(root, 'instances'))) {
    const pid = Number(name.slice(prefix.length));
    if (!name.startsWith(prefix) || !Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    removeInstance(join(root, 'instances', name));
    removed.push(name);
  }
  return removed;
}

/** Turns the instance's events off and removes it; one that is already gone is not an error. */
export function removeInstance(dir: string): void {
  if (!existsSync(dir)) return;
  writeFileSync(join(dir, 'events', 'enable'), '0');
  rmdirSync(dir);
}

/** Writes `value` to a tracefs control file, with the file named in the error. */
export function writeControl(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (error) {
    throw new Error(`could not write "${value}" to ${path}: ${firstLine(error)}`, { cause: error });
  }
}

function firstLine(error: unknown): string {
  const e = error as { stderr?: Buffer | string; message?: string };
  const text = e.stderr?.toString().trim() || e.message || String(error);
  return text.split('\n')[0] ?? text;
}
