import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evictToBudget, freeBytes, listEntries, touchEntry } from '../../src/util/cache-budget.js';
import { cacheEntry } from '../../src/util/cache-entry.js';
import { formatSize, parseSize } from '../../src/util/size.js';

const minute = 60_000;

describe('the cache budget', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sigstorm-cache-budget-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** A real entry of `kib` KiB whose last use was `ageMinutes` ago. */
  async function entry(area: string, name: string, kib: number, ageMinutes: number): Promise<string> {
    const dir = join(root, area, name);
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'sub', 'data'), Buffer.alloc(kib * 1024, 1));
    const at = new Date(Date.now() - ageMinutes * minute);
    await utimes(dir, at, at);
    return dir;
  }

  const names = async (area: string) =>
    (await readdir(join(root, area)).catch(() => [])).filter((n) => !n.startsWith('.')).sort();

  it('measures entries in every area, ignoring temp dirs and lock files', async () => {
    await entry('builds', 'b1', 64, 30);
    await entry('trees', 't1', 32, 30);
    await mkdir(join(root, 'trees', '.tmp', 'x'), { recursive: true });
    await writeFile(join(root, 'builds', 'b1.lock'), '1\n');
    const listed = await listEntries(root);
    expect(listed.map((e) => e.path).sort()).toEqual([join(root, 'builds', 'b1'), join(root, 'trees', 't1')]);
    // Allocated size: at least the data, at most data plus a few blocks of directories.
    const b1 = listed.find((e) => e.path.endsWith('b1'));
    expect(b1?.bytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(b1?.bytes).toBeLessThan(64 * 1024 + 64 * 1024);
  });

  it('removes the least recently used entries until the cache fits, and no more', async () => {
    await entry('runs', 'oldest', 100, 300);
    await entry('builds', 'old', 100, 200);
    await entry('trees', 'newer', 100, 100);
    await entry('repos', 'newest.git', 100, 50);
    const result = await evictToBudget(root, { budgetBytes: 250 * 1024 });
    expect(result.removed.map((e) => e.path)).toEqual([
      join(root, 'runs', 'oldest'),
      join(root, 'builds', 'old'),
    ]);
    expect(result.overBudget).toBe(false);
    expect(await names('runs')).toEqual([]);
    expect(await names('builds')).toEqual([]);
    expect(await names('trees')).toEqual(['newer']);
    expect(await names('repos')).toEqual(['newest.git']);
    // Nothing half-removed is left in sight.
    expect(await readdir(join(root, '.trash'))).toEqual([]);
  });

  it('never removes what is pinned, recently used, or locked by a live process; says when it cannot fit', async () => {
    const pinned = await entry('runs', 'pinned', 100, 300);
    await entry('builds', 'locked', 100, 300);
    await writeFile(join(root, 'builds', 'locked.lock'), `${process.pid}\n`);
    await entry('builds', 'stale-lock', 100, 250);
    await writeFile(join(root, 'builds', 'stale-lock.lock'), '999999999\n');
    await entry('trees', 'recent', 100, 2);
    const result = await evictToBudget(root, {
      budgetBytes: 0,
      pinned: new Set([pinned]),
      recentMs: 10 * minute,
    });
    expect(result.removed.map((e) => e.path)).toEqual([join(root, 'builds', 'stale-lock')]);
    expect(result.overBudget).toBe(true);
    expect(await names('runs')).toEqual(['pinned']);
    expect(await names('trees')).toEqual(['recent']);
  });

  it('base results are entries too: one file per base build and plan, evicted least recently used first', async () => {
    await mkdir(join(root, 'base-results'), { recursive: true });
    const file = (name: string, kib: number, ageMinutes: number) => {
      const path = join(root, 'base-results', name);
      return writeFile(path, Buffer.alloc(kib * 1024, 1)).then(() => {
        const at = new Date(Date.now() - ageMinutes * minute);
        return utimes(path, at, at).then(() => path);
      });
    };
    const old = await file('old.jsonl', 100, 300);
    const used = await file('used.jsonl', 100, 200);
    await touchEntry(used);
    const result = await evictToBudget(root, { budgetBytes: 150 * 1024 });
    expect(result.removed.map((e) => e.path)).toEqual([old]);
    expect(await names('base-results')).toEqual(['used.jsonl']);
  });

  it('a cache hit counts as a use: the entry just used survives, the one left alone goes', async () => {
    const isComplete = async (dir: string) => (await readdir(dir).catch((): string[] => [])).includes('done');
    const produce = (tmp: string) => writeFile(join(tmp, 'done'), Buffer.alloc(50 * 1024, 2));
    const a = await cacheEntry({ root: join(root, 'builds'), key: 'a', isComplete, produce });
    const b = await cacheEntry({ root: join(root, 'builds'), key: 'b', isComplete, produce });
    const longAgo = new Date(Date.now() - 60 * minute);
    await utimes(a.dir, longAgo, longAgo);
    await utimes(b.dir, longAgo, longAgo);
    const hit = await cacheEntry({ root: join(root, 'builds'), key: 'a', isComplete, produce });
    expect(hit.created).toBe(false);
    const result = await evictToBudget(root, { budgetBytes: 80 * 1024, recentMs: 0 });
    expect(result.removed.map((e) => e.path)).toEqual([b.dir]);
    expect(await names('builds')).toEqual(['a']);
  });

  it('touching a removed entry is harmless; free space is read from the file system', async () => {
    await touchEntry(join(root, 'builds', 'gone'));
    const free = await freeBytes(root);
    expect(free).toBeGreaterThan(0);
    expect(Number.isInteger(free)).toBe(true);
  });

  it('reads and prints sizes in binary units', () => {
    expect(parseSize('20G')).toBe(20 * 1024 ** 3);
    expect(parseSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5k')).toBe(1536);
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseSize('-1G')).toBeUndefined();
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(20 * 1024 ** 3)).toBe('20.0 GiB');
    expect(formatSize(12)).toBe('12 B');
  });
});
