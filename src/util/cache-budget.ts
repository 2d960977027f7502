import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, rename, rm, statfs, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, isErrno } from './file-lock.js';
import { makeDir } from './make-dir.js';

/**
 * The cache under a size budget. Every entry (a directory directly under one of the areas below)
 * is touched when it is used, so its mtime says when it was last needed; eviction removes the least
 * recently used entries until the cache fits, skipping what is protected: entries someone holds a
 * lock on, entries used recently (another process may be running from them) and entries the caller
 * pins (what its queued and running jobs need).
 */

/**
 * The cache's areas, each a directory of entries: directories, or files (`base-results/` keeps one
 * JSONL file per base build and cell plan). `.tmp/` and `*.lock` inside them are not entries.
 */
export const cacheAreas = [
  'runs',
  'builds',
  'trees',
  'prepared',
  'bootstrap-outputs',
  'configure-cache',
  'repos',
  'base-results',
] as const;

export interface CacheEntryInfo {
  readonly path: string;
  readonly bytes: number;
  /** Last use (the entry directory's mtime), ms since the epoch. */
  readonly usedAt: number;
}

export interface EvictOptions {
  readonly budgetBytes: number;
  /** Never removed (absolute entry paths): what queued and running jobs need. */
  readonly pinned?: ReadonlySet<string>;
  /** Entries used within this many ms are in use, maybe by another process: never removed. */
  readonly recentMs?: number;
  readonly now?: number;
}

export interface EvictResult {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly removed: readonly CacheEntryInfo[];
  /** Still over budget because everything left is protected. */
  readonly overBudget: boolean;
}

/** Marks an entry as used now (LRU order). An entry removed meanwhile is simply not marked. */
export async function touchEntry(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch((error: unknown) => {
    if (!isErrno(error, 'ENOENT')) throw error;
  });
}

export async function listEntries(root: string): Promise<CacheEntryInfo[]> {
  const entries: CacheEntryInfo[] = [];
  for (const area of cacheAreas) {
    const dir = join(root, area);
    for (const name of await namesIn(dir)) {
      if (name.startsWith('.') || name.endsWith('.lock')) continue;
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (!info?.isDirectory() && !info?.isFile()) continue;
      entries.push({ path, bytes: await diskUsage(path), usedAt: info.mtimeMs });
    }
  }
  return entries;
}

/** Removes least recently used, unprotected entries until the cache is within its budget. */
export async function evictToBudget(root: string, options: EvictOptions): Promise<EvictResult> {
  const now = options.now ?? Date.now();
  const recentMs = options.recentMs ?? 10 * 60_000;
  const entries = await listEntries(root);
  const bytesBefore = entries.reduce((sum, e) => sum + e.bytes, 0);
  let total = bytesBefore;
  const removed: CacheEntryInfo[] = [];
  const oldestFirst = [...entries].sort((a, b) => a.usedAt - b.usedAt);
  for (const entry of oldestFirst) {
    if (total <= options.budgetBytes) break;
    if (options.pinned?.has(entry.path)) continue;
    if (now - entry.usedAt < recentMs) continue;
    if (await lockedByLiveProcess(`${entry.path}.lock`)) continue;
    if (!(await remove(root, entry.path))) continue;
    removed.push(entry);
    total -= entry.bytes;
  }
  return { bytesBefore, bytesAfter: total, removed, overBudget: total > options.budgetBytes };
}

/** Bytes available to this user on the file system holding `path`. */
export async function freeBytes(path: string): Promise<number> {
  await makeDir(path);
  const info = await statfs(path);
  return info.bavail * info.bsize;
}

/** Moved out of sight first (one rename), then deleted: a reader sees the whole entry or none. */
async function remove(root: string, path: string): Promise<boolean> {
  const trash = join(root, '.trash');
  await makeDir(trash);
  const moved = join(trash, `${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await rename(path, moved);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
  await rm(moved, { recursive: true, force: true });
  return true;
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
}

/** Allocated bytes under `path` (what `du` counts), without following symlinks. */
async function diskUsage(path: string): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return 0;
  let bytes = info.blocks * 512;
  if (!info.isDirectory()) return bytes;
  for (const name of await namesIn(path)) bytes += await diskUsage(join(path, name));
  return bytes;
}

async function lockedByLiveProcess(lockFile: string): Promise<boolean> {
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const pid = Number.parseInt(text, 10);
  // Being written by its owner: taken.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  return isAlive(pid);
}
