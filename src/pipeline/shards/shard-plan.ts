import { createHash } from 'node:crypto';
import { z } from 'zod';
import { VariantName } from '../../compile/variants.js';
import { RepoConfig } from '../../config/repo-config.schema.js';
import { Thresholds } from '../../config/thresholds.schema.js';
import { UsageError } from '../../util/errors.js';
import { Side } from '../../workload/side.js';
import { type BatchSlice, sliceBatch, sliceSize } from '../schedule/cell-run.js';

/**
 * The plan of a sharded validation: every cell's batches, numbered from 0, dealt to the N shards in
 * turn (shard k takes batches k − 1, k − 1 + N, …), so every shard holds early batches and its own
 * batches are a sample its sequential test can stop on. Every shard derives the same plan from the
 * same request (trees, workloads, thresholds, seed), and its id tells the merge which blobs belong
 * together. Iteration i of a cell has the seed of the cell and the index i wherever it runs, so the
 * shards' iterations never overlap and each is reproducible alone.
 */

/** GitHub Actions runs at most 256 jobs of one matrix. */
export const maxShards = 256;

export const ShardPlanCell = z
  .object({
    workload: z.string(),
    variant: VariantName,
    side: Side,
    /** sha256 of the workload file's text: shards that read different definitions do not merge. */
    workloadHash: z.string(),
    /** The cap per side (the variant's maxIterationsPerSide, or --iterations). */
    cap: z.number().int().positive(),
    /** Batches of the whole cell: ⌈cap / batchSize⌉. */
    batches: z.number().int().positive(),
  })
  .strict();
export type ShardPlanCell = z.output<typeof ShardPlanCell>;

export const ShardPlanBody = z
  .object({
    shards: z.number().int().min(1).max(maxShards),
    seed: z.number().int().nonnegative(),
    /** Iterations per side in one batch, the same on every machine. */
    batchSize: z.number().int().positive(),
    trees: z.object({ base: z.string(), head: z.string() }).strict().describe('content hashes of the trees'),
    cells: z.array(ShardPlanCell),
    /** Throughput runs per side, measured by shard 1 alone (it needs the machine to itself); 0: none. */
    throughput: z.object({ workload: z.string().nullable(), runs: z.number().int().nonnegative() }).strict(),
    thresholds: Thresholds,
    policy: RepoConfig.shape.policy,
  })
  .strict();
export type ShardPlanBody = z.output<typeof ShardPlanBody>;

export const ShardPlan = ShardPlanBody.extend({
  id: z.string().regex(/^[0-9a-f]{16}$/, 'a plan id is 16 hex digits'),
}).strict();
export type ShardPlan = z.output<typeof ShardPlan>;

/** The plan with its id: a hash of everything else, so two shards agree on it exactly when they agree on all of it. */
export function withPlanId(body: ShardPlanBody): ShardPlan {
  return { ...body, id: planId(body) };
}

export function planId(body: ShardPlanBody): string {
  const { shards, seed, batchSize, trees, cells, throughput, thresholds, policy } = body;
  const canonical = JSON.stringify({ shards, seed, batchSize, trees, cells, throughput, thresholds, policy });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Shard k's (1-based) batches of the plan's cell: k − 1, k − 1 + N, … below the cell's batches. */
export function batchSlice(plan: Pick<ShardPlan, 'shards'>, cell: ShardPlanCell, k: number): BatchSlice {
  return { first: k - 1, step: plan.shards, end: cell.batches };
}

/** Shard k's batches of every cell, by cell index. */
export function shardSlices(plan: ShardPlan, k: number): BatchSlice[] {
  return plan.cells.map((cell) => batchSlice(plan, cell, k));
}

/** The shard whose batches hold the cell's batch. */
export function shardOf(plan: Pick<ShardPlan, 'shards'>, batch: number): number {
  return (batch % plan.shards) + 1;
}

/** A slice's iterations as a person reads them: `0–1999`, `10–19, 30–39, …, 1990–1999`, or `none`. */
export function describeSlice(slice: BatchSlice, batchSize: number): string {
  const n = sliceSize(slice);
  const range = (i: number) => {
    const at = sliceBatch(slice, i) * batchSize;
    return `${at}–${at + batchSize - 1}`;
  };
  if (n === 0) return 'none';
  if (slice.step === 1) return `${slice.first * batchSize}–${slice.end * batchSize - 1}`;
  if (n <= 3) return Array.from({ length: n }, (_, i) => range(i)).join(', ');
  return `${range(0)}, ${range(1)}, …, ${range(n - 1)}`;
}

/** `2/3` → shard 2 of 3 (what `--shard` takes). */
export function parseShardSpec(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1 && count <= maxShards && index >= 1 && index <= count)) {
    throw new UsageError(`--shard ${text}: expected K/N with 1 ≤ K ≤ N ≤ ${maxShards}, e.g. 2/4`, {
      hint: 'Run every K of 1..N (one machine or job each), then `sigstorm merge` their blobs.',
    });
  }
  return { index, count };
}

/** How a report names a shard's planned iterations: one list when every cell has the same, else per cell. */
export function describeRanges(plan: ShardPlan, k: number): string {
  const ranges = plan.cells.map((cell) => ({
    cell,
    text: describeSlice(batchSlice(plan, cell, k), plan.batchSize),
  }));
  const distinct = new Set(ranges.map(({ text }) => text));
  if (distinct.size === 1) return `iterations ${[...distinct][0]} of each cell`;
  return ranges.map(({ cell, text }) => `${cell.workload} (${cell.variant}) ${text}`).join(', ');
}
