import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** One entry of a tree as a bootstrap sees it: what it is and its content, never following symlinks. */
export interface TreeFile {
  readonly type: 'file' | 'dir' | 'symlink';
  /** Permission bits (files). */
  readonly mode: number;
  /** sha256 of the content (files) or the link target (symlinks); '' for directories. */
  readonly hash: string;
  readonly mtimeMs: number;
}

/**
 * Every entry under `dir` by relative `/`-separated path (sorted), `.git` left out; with `only`, just
 * the files and symlinks whose path it accepts (directories are walked, not listed, and nothing else
 * is read).
 */
export async function listTreeFiles(
  dir: string,
  only?: (path: string) => boolean,
): Promise<Map<string, TreeFile>> {
  const files = new Map<string, TreeFile>();
  const walk = async (prefix: string): Promise<void> => {
    const entries = await readdir(join(dir, prefix), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (prefix === '' && entry.name === '.git') continue;
      const full = join(dir, path);
      const info = await lstat(full);
      if (only && !info.isDirectory() && !only(path)) continue;
      if (info.isSymbolicLink()) {
        files.set(path, {
          type: 'symlink',
          mode: 0,
          hash: sha256(await readlink(full)),
          mtimeMs: info.mtimeMs,
        });
      } else if (info.isDirectory()) {
        if (!only) files.set(path, { type: 'dir', mode: 0, hash: '', mtimeMs: info.mtimeMs });
        await walk(path);
      } else if (info.isFile()) {
        files.set(path, {
          type: 'file',
          mode: info.mode & 0o7777,
          hash: sha256(await readFile(full)),
          mtimeMs: info.mtimeMs,
        });
      }
    }
  };
  await walk('');
  return files;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
