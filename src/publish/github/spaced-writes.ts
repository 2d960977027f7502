import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Octokit's spacing of writes (its throttling plugin: one write a second, one that notifies people
 * every three, per process), in a shorter unit for the tests' App. The plugin takes a limiter group
 * per kind (a Bottleneck group, of which it calls `key(id).schedule(options, task)`); this one starts
 * each task `ms` after the previous one's start.
 */
export function spacedStarts(ms: number) {
  let next = 0;
  const limiter = {
    async schedule<T>(_options: unknown, task: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const at = Math.max(now, next);
      next = at + ms;
      if (at > now) await sleep(at - now);
      return task();
    },
  };
  return { key: (_id: string) => limiter };
}
