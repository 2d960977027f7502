import { copyFile, lstat, readlink, symlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeDir } from '../util/make-dir.js';

/**
 * Copies the listed files (relative paths) from `from` to `to`, keeping modes, symlinks and
 * modification times (make and automake's rebuild rules compare them).
 */
export async function copyFiles(from: string, to: string, files: readonly string[]): Promise<void> {
  const made = new Set<string>();
  for (const path of files) {
    const source = join(from, path);
    const target = join(to, path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      await makeDir(parent);
      made.add(parent);
    }
    const info = await lstat(source);
    if (info.isSymbolicLink()) {
      await symlink(await readlink(source), target);
    } else {
      await copyFile(source, target);
      await utimes(target, info.atime, info.mtime);
    }
  }
}
