import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the sigstorm installation (this repository). */
export const installRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The iperf3-compatible test subject bundled with sigstorm (C, autotools). */
export const bundledSubjectDir = join(installRoot, 'test', 'subject');
export const bundledPatchesDir = join(installRoot, 'patches');
export const bundledWorkloadsDir = join(installRoot, 'workloads');

/** Where builds, trees and storm results are kept between runs. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIGSTORM_CACHE_DIR) return resolve(env.SIGSTORM_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'sigstorm');
}
