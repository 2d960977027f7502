/**
 * Retries that once ran for ever on real file systems: Node's recursive mkdir under /proc, and the
 * lock's immediate retry on a lock path that exists but cannot be read (a dangling symlink).
 */
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/util/file-lock.js';
import { makeDir } from '../../src/util/make-dir.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-bounded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bounded retries', () => {
  it('makeDir ends with the kernel’s answer where a parent refuses new entries (/proc) or is a file', async () => {
    await expect(makeDir('/proc/sigstorm-x/y')).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(join(dir, 'file'), '');
    await expect(makeDir(join(dir, 'file', 'a', 'b'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await makeDir(join(dir, 'a', 'b', 'c'));
    await makeDir(join(dir, 'a', 'b', 'c'));
    expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
  });

  it('a lock path that exists but cannot be read is an error, not a spin', async () => {
    const lock = join(dir, 'x.lock');
    await symlink(join(dir, 'nowhere'), lock);
    await expect(withFileLock(lock, async () => 'ran')).rejects.toThrow(
      `Cannot take the lock ${lock}: it exists but cannot be read or broken`,
    );
  });
});
