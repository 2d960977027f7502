import type { BuildResult } from '../../compile/build-variant.js';
import type { VariantName } from '../../compile/variants.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import type { TreeSide } from '../../source/tree-side.js';
import { appendRecord } from '../../storm/jsonl.js';
import type { LanePool } from '../../storm/lanes.js';
import type { IterationRecord } from '../../storm/record.js';
import { runIterations } from '../../storm/run-iterations.js';
import { type CellRun, sliceBatch } from './cell-run.js';

export interface BatchOptions {
  readonly builds: {
    readonly base: Partial<Record<VariantName, BuildResult>>;
    readonly head: Partial<Record<VariantName, BuildResult>>;
  };
  readonly pool: LanePool;
  readonly signal?: AbortSignal;
  /** Where the binaries run. */
  readonly sandbox: SandboxMode;
  /** Every record as it is written, cached base records included; `ran` is false for those. */
  readonly onRecord: (record: IterationRecord, side: TreeSide, ran: boolean) => void;
}

export interface BatchResult {
  readonly base: IterationRecord[];
  readonly head: IterationRecord[];
  /** Cancelled part-way: the batch is incomplete. */
  readonly interrupted: boolean;
}

/**
 * Runs the cell's next batch on base and on head (ABBA from batch to batch, so drift of the machine
 * hits both sides alike), base iterations from the base-results cache where it has them (and head
 * iterations from a head-results cache, when the cell has one: bisect).
 */
export async function runBatch(run: CellRun, size: number, options: BatchOptions): Promise<BatchResult> {
  // A shard's batch k has the indices it has on one machine (every batch the plan's size). A whole
  // run's batches can differ in size (the last one before a look of the cell's coarse bound is cut
  // to it): the indices go on from the count.
  const first = run.slice ? sliceBatch(run.slice, run.batches.length) * size : run.base.length;
  const indices = Array.from({ length: size }, (_, i) => first + i);
  // ABBA by the run's own batches: each shard's sequence alternates as one machine's does.
  const order = run.batches.length % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
  const got: Record<TreeSide, IterationRecord[]> = { base: [], head: [] };
  let interrupted = false;
  for (const side of order) {
    const build = options.builds[side][run.plan.variant];
    if (!build) throw new Error(`no ${run.plan.variant} build of ${side}`);
    const cache = side === 'base' ? run.plan.baseCache : run.plan.headCache;
    const { cached, missing } = cache ? cache.take(indices) : { cached: [], missing: indices };
    for (const record of cached) {
      await appendRecord(run.files[side], record);
      options.onRecord(record, side, false);
    }
    run.reusedBase += side === 'base' ? cached.length : 0;
    const result = await runIterations({
      pool: options.pool,
      binary: build.binary,
      variant: run.plan.variant,
      workload: run.plan.workload,
      workloadRef: run.plan.workloadRef,
      seed: run.seed,
      iterations: missing,
      stormId: `${run.plan.workload.name}-${run.plan.variant}-${side}`,
      ...(options.signal ? { signal: options.signal } : {}),
      sandbox: options.sandbox,
      onRecord: async (record) => {
        await appendRecord(run.files[side], record);
        options.onRecord(record, side, true);
      },
    });
    await cache?.add(result.records);
    got[side] = [...cached, ...result.records].sort((a, b) => a.iteration - b.iteration);
    interrupted ||= result.interrupted;
  }
  return { ...got, interrupted };
}
