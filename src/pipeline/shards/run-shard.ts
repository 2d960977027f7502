import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { packageVersion } from '../../report/build-report.js';
import { SigstormError } from '../../util/errors.js';
import { makeDir } from '../../util/make-dir.js';
import { buildInfo } from '../build-trees.js';
import type { ValidateOptions, ValidateRequest } from '../request/contract.js';
import { stormAndMeasure, type ValidateExtras } from '../validate.js';
import { ShardBlob } from './shard-blob.schema.js';
import type { ShardPlan } from './shard-plan.js';
import type { ShardRequest } from './shard-request.js';

export interface ShardResult {
  readonly blob: ShardBlob;
  /** Where the blob was written. */
  readonly file: string;
  readonly outDir: string;
}

/** The blob's file name in the output directory when none is given. */
export const blobName = (shard: Pick<ShardRequest, 'index' | 'count'>) =>
  `shard-${shard.index}-of-${shard.count}.json`;

/**
 * One shard of a validation: steps 1–4 on the shard's planned slice (./shard-plan.ts), then the
 * iteration records, throughput (shard 1) and what did not run written as a blob for `sigstorm merge`.
 */
export async function runShard(
  request: ValidateRequest & ValidateExtras,
  shard: ShardRequest,
  options: ValidateOptions & { readonly blobFile?: string } = {},
): Promise<ShardResult> {
  const { builds, runs, throughput, outDir, sandbox, shardPlan, sources } = await stormAndMeasure(
    request,
    options,
    shard,
  );
  if (!shardPlan) throw new Error('stormAndMeasure made no shard plan for a shard');
  // A cancelled shard writes no blob: the merge names it missing, never clean.
  if (options.signal?.aborted)
    throw new SigstormError(`Shard ${shard.index}/${shard.count} cancelled`, {
      hint: 'Run the shard again, or merge without it (its iterations count as missing).',
    });
  const blob = ShardBlob.parse({
    schemaVersion: 1,
    kind: 'sigstorm-shard',
    shard: shard.index,
    plan: shardPlan,
    generatedAt: new Date().toISOString(),
    sigstormVersion: packageVersion(),
    base: buildInfo(builds.base.tree, builds.base.variants, sandbox.kind, sources.base),
    head: buildInfo(builds.head.tree, builds.head.variants, sandbox.kind, sources.head),
    cells: runs.map((run) => ({
      cell: run.plan.index,
      stop: run.stop,
      elapsedMs: run.elapsedMs,
      reusedBase: run.reusedBase,
      base: run.base,
      head: run.head,
    })),
    throughput: throughput.throughput,
    notRun: shard.index === 1 ? throughput.notRun : [],
  });
  const file = resolve(options.blobFile ?? join(outDir, blobName(shard)));
  await makeDir(dirname(file));
  await writeFile(file, `${JSON.stringify(blob)}\n`);
  return { blob, file, outDir };
}

/** One line per cell: what the shard ran of its slice. */
export function describeShard(blob: ShardBlob, plan: ShardPlan = blob.plan): string[] {
  return blob.cells.map((c) => {
    const cell = plan.cells[c.cell];
    const name = cell ? `${cell.workload} (${cell.variant})` : `cell ${c.cell}`;
    return `${name}: ${c.base.length} base, ${c.head.length} head iterations (stop: ${c.stop ?? 'open'})`;
  });
}
