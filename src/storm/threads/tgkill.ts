import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { cacheEntry } from '../../util/cache-entry.js';
import { SigstormError } from '../../util/errors.js';
import { pathExists } from '../../util/path-exists.js';
import { cacheRoot, installRoot } from '../../util/paths.js';

const source = join(installRoot, 'src', 'storm', 'native', 'tgkill.c');
let built: Promise<string> | null = null;

/**
 * The path of the tgkill helper, compiled with the system's cc into the cache on first use (keyed
 * by its source, so an edit rebuilds it). Node has no tgkill(2); see src/storm/native/tgkill.c.
 */
export function tgkillHelper(): Promise<string> {
  built ??= compile().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

async function compile(): Promise<string> {
  const text = await readFile(source);
  const key = `tgkill-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  const { dir } = await cacheEntry({
    root: join(cacheRoot(), 'native'),
    key,
    isComplete: (d) => pathExists(join(d, 'tgkill')),
    produce: async (tmp) => {
      const cc = await execa('cc', ['-O2', '-Wall', '-Wextra', '-o', join(tmp, 'tgkill'), source], {
        reject: false,
      });
      if (cc.failed) {
        throw new SigstormError('could not compile the tgkill helper for thread-directed workloads', {
          details: `${cc.command}\n${String(cc.stderr || cc.shortMessage)}`,
          hint: 'install a C compiler (scripts/setup.sh installs gcc), or run only process-directed workloads',
        });
      }
    },
  });
  return join(dir, 'tgkill');
}

/**
 * Sends `signal` to thread `tid` of process `tgid`, synchronously so that the signal leaves
 * before anything else of the harness runs. `false` when the thread has exited.
 */
export function tgkill(helper: string, tgid: number, tid: number, signalNumber: number): boolean {
  const run = spawnSync(helper, [String(tgid), String(tid), String(signalNumber)], { encoding: 'utf8' });
  if (run.status === 0) return true;
  if (run.status === 3) return false;
  throw new SigstormError(`tgkill of thread ${tid} in process ${tgid} failed`, {
    details: run.error ? String(run.error) : run.stderr,
  });
}
