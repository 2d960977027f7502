import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The identity of a materialised tree: a hash over every file's path, kind (file, executable,
 * symlink) and content. Two trees with the same content get the same hash however they were
 * obtained (git export, working-copy copy, patched), so builds are shared between them.
 */
export async function hashTree(dir: string): Promise<string> {
  const files = (await listAll(dir, '')).sort();
  const outer = createHash('sha256');
  for (const path of files) {
    const full = join(dir, path);
    const info = await lstat(full);
    if (info.isSymbolicLink()) {
      outer.update(`l ${sha256(Buffer.from(await readlink(full)))} ${path}\n`);
    } else {
      // Only the executable bit is part of the identity: umask and checkout tools vary the rest.
      const kind = info.mode & 0o111 ? 'x' : 'f';
      outer.update(`${kind} ${sha256(await readFile(full))} ${path}\n`);
    }
  }
  return outer.digest('hex').slice(0, 24);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function listAll(root: string, relative: string): Promise<string[]> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      // A throwaway repository someone made inside the tree is not content.
      if (entry.name !== '.git') files.push(...(await listAll(root, path)));
    } else {
      files.push(path);
    }
  }
  return files;
}
