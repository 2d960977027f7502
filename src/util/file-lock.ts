import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { SigstormError } from './errors.js';

const maxImmediateRetries = 100;

/** Locks held by this process, so two callers in one process queue instead of deadlocking. */
const heldHere = new Map<string, Promise<void>>();

/**
 * Runs `fn` while holding an exclusive lock file at `path` (created with O_EXCL, holding our pid).
 * A lock left by a process that no longer exists is taken over. The lock only avoids duplicate work:
 * every cache entry is still published by an atomic rename, so a lost race never corrupts the cache.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: { signal?: AbortSignal | undefined; onWait?: (holderPid: number) => void } = {},
): Promise<T> {
  const previous = heldHere.get(path) ?? Promise.resolve();
  let release = (): void => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const chained = previous.then(() => mine);
  heldHere.set(path, chained);
  try {
    await previous;
    await acquire(path, options);
    try {
      return await fn();
    } finally {
      await rm(path, { force: true });
    }
  } finally {
    release();
    if (heldHere.get(path) === chained) heldHere.delete(path);
  }
}

async function acquire(
  path: string,
  options: { signal?: AbortSignal | undefined; onWait?: (holderPid: number) => void },
): Promise<void> {
  let told = false;
  // Waiting for a live holder is bounded by the signal; retrying at once (the lock vanished, or was
  // stale and broken) is bounded here: a path where O_EXCL always fails but nothing can be read
  // (a dangling symlink) would otherwise spin for ever.
  let immediateRetries = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    if (immediateRetries > maxImmediateRetries) {
      throw new SigstormError(`Cannot take the lock ${path}: it exists but cannot be read or broken`, {
        hint: `Remove ${path} if no sigstorm is running, and try again.`,
      });
    }
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const holder = await lockHolder(path);
    if (holder.state === 'gone') {
      immediateRetries++;
      continue;
    }
    if (holder.state === 'stale' || (holder.state === 'pid' && !isAlive(holder.pid))) {
      // Move the stale lock aside atomically, so only one waiter breaks it.
      const aside = `${path}.stale-${process.pid}`;
      try {
        await rename(path, aside);
        await rm(aside, { force: true });
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error;
      }
      immediateRetries++;
      continue;
    }
    immediateRetries = 0;
    if (!told && holder.state === 'pid') options.onWait?.(holder.pid);
    told = true;
    await delay(200, undefined, { signal: options.signal });
  }
}

type Holder = { state: 'gone' } | { state: 'stale' } | { state: 'writing' } | { state: 'pid'; pid: number };

async function lockHolder(path: string): Promise<Holder> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const pid = Number.parseInt(text, 10);
    if (Number.isInteger(pid) && pid > 0) return { state: 'pid', pid };
    // Created but not yet written by its owner; only an old empty lock is abandoned.
    return Date.now() - info.mtimeMs > 5000 ? { state: 'stale' } : { state: 'writing' };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { state: 'gone' };
    throw error;
  }
}

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
