import { mirrorDir } from '../../source/repo-mirror.js';
import { evictToBudget, freeBytes } from '../../util/cache-budget.js';
import { SigstormError } from '../../util/errors.js';
import { formatSize } from '../../util/size.js';
import type { Services } from '../services.js';

/** The host has too little disk for a run even after the cache was trimmed. */
export class DiskSpaceError extends SigstormError {
  readonly free: number;
  readonly needed: number;
  constructor(free: number, needed: number, dir: string) {
    super(`only ${formatSize(free)} free under ${dir}; a run needs ${formatSize(needed)}`, {
      hint: 'Free disk space on the host, or lower SIGSTORM_CACHE_BUDGET / SIGSTORM_MIN_FREE.',
    });
    this.free = free;
    this.needed = needed;
  }
}

/**
 * Before each job: the cache trimmed to its budget (least recently used first; never the results
 * waiting to be published, nor the repository mirrors unfinished jobs will fetch from; builds and
 * trees in use are locked or recently used), then enough free space checked.
 */
export async function prepareCache(services: Services): Promise<void> {
  const { settings, store, log } = services;
  const dir = settings.cacheDir;
  const mirrors = store
    .activeRepositories()
    .map((r) => mirrorDir(dir, settings.repoMap.get(`${r.owner}/${r.repo}`) ?? r.cloneUrl));
  const evicted = await evictToBudget(dir, {
    budgetBytes: settings.cacheBudgetBytes,
    pinned: new Set([...store.runDirsInUse(), ...mirrors]),
  });
  if (evicted.removed.length > 0 || evicted.overBudget) {
    log.info(
      {
        removed: evicted.removed.length,
        before: formatSize(evicted.bytesBefore),
        after: formatSize(evicted.bytesAfter),
        overBudget: evicted.overBudget,
      },
      'sigstorm: cache trimmed to its budget',
    );
  }
  const free = await freeBytes(dir);
  if (free < settings.minFreeBytes) throw new DiskSpaceError(free, settings.minFreeBytes, dir);
}
