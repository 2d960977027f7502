import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { touchEntry } from './cache-budget.js';
import { isAlive, isErrno, withFileLock } from './file-lock.js';
import { makeDir } from './make-dir.js';

/**
 * Cache entries are directories published by one atomic rename from `<root>/.tmp/`: a reader sees
 * either nothing or a complete entry, and an interrupted writer leaves only a temp dir behind,
 * which the next writer sweeps once its owner process is gone.
 */
export async function newTempDir(root: string, label: string): Promise<string> {
  const dir = join(root, '.tmp', `${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await makeDir(dir);
  return dir;
}

/** Moves `tmp` to `final`. When `final` already exists (same content, written by someone else), drops `tmp`. */
export async function publishDir(tmp: string, final: string): Promise<'published' | 'existed'> {
  try {
    await rename(tmp, final);
    return 'published';
  } catch (error) {
    if (!isErrno(error, 'ENOTEMPTY') && !isErrno(error, 'EEXIST')) throw error;
    await rm(tmp, { recursive: true, force: true });
    return 'existed';
  }
}

/** Removes temp dirs under `<root>/.tmp/` whose writer process no longer runs. */
export async function sweepTempDirs(root: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(join(root, '.tmp'));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  for (const name of names) {
    const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await rm(join(root, '.tmp', name), { recursive: true, force: true });
  }
}

export interface CacheEntryOptions {
  /** The directory holding entries, e.g. `<cacheRoot>/builds`. */
  readonly root: string;
  readonly key: string;
  /** True when `dir` holds a complete, usable entry. */
  readonly isComplete: (dir: string) => Promise<boolean>;
  /** Fills `tmp`; it is renamed to `<root>/<key>` afterwards. On failure `tmp` is passed to `onFailure`. */
  readonly produce: (tmp: string) => Promise<void>;
  readonly onFailure?: (tmp: string) => Promise<void>;
  readonly onWait?: (holderPid: number) => void;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Returns `<root>/<key>`, producing it first when it is not complete. A lock file makes concurrent
 * producers of the same key (other processes, or other calls in this one) wait instead of redoing work.
 */
export async function cacheEntry(options: CacheEntryOptions): Promise<{ dir: string; created: boolean }> {
  const { root, key } = options;
  const final = join(root, key);
  if (await options.isComplete(final)) {
    // Used now: the least recently used entries are the ones the budget evicts.
    await touchEntry(final);
    return { dir: final, created: false };
  }
  await makeDir(root);
  const lockOptions = { signal: options.signal, ...(options.onWait ? { onWait: options.onWait } : {}) };
  return withFileLock(
    join(root, `${key}.lock`),
    async () => {
      if (await options.isComplete(final)) {
        await touchEntry(final);
        return { dir: final, created: false };
      }
      await sweepTempDirs(root);
      const tmp = await newTempDir(root, key);
      try {
        await options.produce(tmp);
      } catch (error) {
        if (options.onFailure) await options.onFailure(tmp);
        else await rm(tmp, { recursive: true, force: true });
        throw error;
      }
      // An incomplete entry at `final` (copied in by hand, half-deleted) is replaced, never trusted.
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
      return { dir: final, created: true };
    },
    lockOptions,
  );
}
