import { z } from 'zod';
import { VariantName } from '../../compile/variants.js';
import { BuildInfo, NotRun } from '../../report/report.schema.js';
import { IterationRecord } from '../../storm/record.js';
import { cellStops } from '../schedule/cell-run.js';
import { ShardPlan } from './shard-plan.js';

/**
 * What one shard of a validation writes (`sigstorm validate --shard K/N`) and `sigstorm merge`
 * reads: the plan, the shard's iteration records per cell and side, and (shard 1) throughput.
 * Versioned; schemas/shard-blob.schema.json is generated from it. Blobs travel between machines
 * (Actions artifacts), so the merge treats them as untrusted: size-limited, parsed with this
 * schema, every record checked against the plan.
 */

export const shardBlobSchemaVersion = 1;

export const ShardBlobCell = z
  .object({
    /** Index into plan.cells. */
    cell: z.number().int().nonnegative(),
    stop: z.enum(cellStops).nullable().describe('why the shard stopped running this cell'),
    elapsedMs: z.number().nonnegative(),
    /** Base iterations taken from the base-results cache instead of being run. */
    reusedBase: z.number().int().nonnegative(),
    base: z.array(IterationRecord),
    head: z.array(IterationRecord),
  })
  .strict();
export type ShardBlobCell = z.output<typeof ShardBlobCell>;

export const ShardThroughput = z
  .object({
    workload: z.string(),
    variant: VariantName,
    base: z.array(z.number()),
    head: z.array(z.number()),
    budget: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('runs per side the sequential design allowed (its looks and their confidences)'),
    failedRuns: z.object({ base: z.number().int(), head: z.number().int() }).strict().optional(),
  })
  .strict();

export const ShardBlob = z
  .object({
    schemaVersion: z.literal(shardBlobSchemaVersion),
    kind: z.literal('sigstorm-shard'),
    /** 1-based. */
    shard: z.number().int().positive(),
    plan: ShardPlan,
    generatedAt: z.string().describe('ISO 8601'),
    sigstormVersion: z.string(),
    base: BuildInfo,
    head: BuildInfo,
    cells: z.array(ShardBlobCell),
    throughput: z.array(ShardThroughput),
    /** What this shard was planned to run and did not (throughput off, cancelled…). */
    notRun: z.array(NotRun),
  })
  .strict()
  .describe('one shard of a sigstorm validation (sigstorm validate --shard K/N)');
export type ShardBlob = z.output<typeof ShardBlob>;
export type ShardBlobInput = z.input<typeof ShardBlob>;
