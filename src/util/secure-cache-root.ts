import { chmod, mkdir, stat } from 'node:fs/promises';
import { SigstormError } from './errors.js';
import { cacheRoot } from './paths.js';

/**
 * The cache holds pull requests' trees and binaries: no other user of the host may reach it. At
 * start (sigstorm serve, and every validation's preflight) it is made 0700 if it is not, and one
 * owned by another user is refused.
 */
export async function secureCacheRoot(root: string = cacheRoot()): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const info = await stat(root);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new SigstormError(
      `The cache directory ${root} belongs to uid ${info.uid}, not to this user (${uid}).`,
      {
        hint: 'Point SIGSTORM_CACHE_DIR at a directory of your own: the cache holds code and programs that only sigstorm may reach.',
      },
    );
  }
  if ((info.mode & 0o077) !== 0) await chmod(root, 0o700);
  return root;
}
