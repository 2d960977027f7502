import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import { appendRecord, readRecords, startResultsFile } from '../storm/jsonl.js';
import type { IterationRecord } from '../storm/record.js';
import { touchEntry } from '../util/cache-budget.js';
import { makeDir } from '../util/make-dir.js';

/**
 * Base results reused across validations: later pull requests against the same base commit reuse
 * the base iterations an earlier one ran (same binary, workload, seed and CPU layout), so only head
 * is stormed again. The trade-off (these base iterations were not interleaved with this head) is
 * stated in docs/validate.md; `--no-base-cache` turns it off.
 */
export interface BaseCache {
  /** The cached records for these iteration indices, and the indices that still have to run. */
  take(indices: readonly number[]): { cached: IterationRecord[]; missing: number[] };
  /** How many records the cache holds in a row from iteration `index` on (index, index + 1, …). */
  heldFrom(index: number): number;
  add(records: readonly IterationRecord[]): Promise<void>;
  readonly file: string | null;
  /**
   * Wall time of one base iteration on these lanes as the cached records measured it (their mean
   * duration over the lanes that ran in parallel), ms; null with no record.
   */
  meanIterationMs(): number | null;
}

export interface BaseCacheKey {
  readonly buildKey: string;
  /** The workload file's text: any change to the workload invalidates its results. */
  readonly workloadText: string;
  readonly seed: number;
  /** CPU sets of the lanes: placement changes failure rates, so it is part of the key. */
  readonly lanes: readonly string[];
  /** Where base ran: an outcome seen without the sandbox is no evidence about a sandboxed run. */
  readonly sandbox: SandboxMode['kind'];
}

export const noBaseCache: BaseCache = {
  take: (indices) => ({ cached: [], missing: [...indices] }),
  heldFrom: () => 0,
  add: async () => undefined,
  file: null,
  meanIterationMs: () => null,
};

export async function openBaseCache(root: string, key: BaseCacheKey): Promise<BaseCache> {
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: 1, ...key }))
    .digest('hex')
    .slice(0, 32);
  const dir = join(root, 'base-results');
  await makeDir(dir);
  const file = join(dir, `${hash}.jsonl`);
  const byIteration = new Map<number, IterationRecord>();
  try {
    for (const record of await readRecords(file)) byIteration.set(record.iteration, record);
    // Used now: the cache budget evicts the least recently used entries.
    await touchEntry(file);
  } catch (error) {
    // No cache yet, or a damaged one: not worth failing a validation for; it is started afresh.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') await startResultsFile(file);
  }
  return {
    file,
    take(indices) {
      const cached: IterationRecord[] = [];
      const missing: number[] = [];
      for (const i of indices) {
        const record = byIteration.get(i);
        if (record) cached.push(record);
        else missing.push(i);
      }
      return { cached, missing };
    },
    heldFrom(index) {
      let i = index;
      while (byIteration.has(i)) i++;
      return i - index;
    },
    meanIterationMs() {
      if (byIteration.size === 0) return null;
      let sum = 0;
      for (const record of byIteration.values()) sum += record.durationMs;
      return sum / byIteration.size / Math.max(1, key.lanes.length);
    },
    async add(records) {
      for (const record of records) {
        if (byIteration.has(record.iteration)) continue;
        byIteration.set(record.iteration, record);
        await appendRecord(file, record);
      }
    },
  };
}
