import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isErrno } from './file-lock.js';

/**
 * `mkdir -p` that always ends. Node's own `mkdir(path, { recursive: true })` retries for ever where
 * a parent exists but refuses new entries with ENOENT (`/proc/x/y` spins at full CPU); here each
 * level is tried at most twice (once before and once after making its parent), so the number of
 * system calls is bounded by the path's depth. Errors keep their code and path.
 */
export async function makeDir(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) {
      if ((await stat(path)).isDirectory()) return;
      throw error;
    }
    const parent = dirname(path);
    if (!isErrno(error, 'ENOENT') || parent === path) throw error;
  }
  await makeDir(dirname(path));
  try {
    await mkdir(path);
  } catch (error) {
    // Made by someone else meanwhile: fine if it is a directory.
    if (isErrno(error, 'EEXIST') && (await stat(path)).isDirectory()) return;
    throw error;
  }
}
