import { randomUUID } from 'node:crypto';
import type { VariantName } from '../build/variants.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import type { StormWorkload } from '../workload/schema.js';
import { appendRecord, startResultsFile } from './jsonl.js';
import type { LanePool } from './lanes.js';
import type { IterationRecord, StormSummary } from './record.js';
import { runIterations } from './run-iterations.js';
import { summarise } from './summarise.js';

export interface RunStormOptions {
  readonly pool: LanePool;
  readonly binary: string;
  readonly variant: VariantName;
  readonly workload: StormWorkload;
  /** How repro commands name the workload; default: its name. */
  readonly workloadRef?: string;
  readonly seed: number;
  readonly iterations: readonly number[];
  /** The JSONL file, emptied first; every finished iteration is appended as it finishes. */
  readonly resultsFile: string;
  readonly stormId?: string;
  readonly signal?: AbortSignal;
  readonly onRecord?: (record: IterationRecord) => void;
  /** Default: runIterations' (a bubblewrap sandbox). */
  readonly sandbox?: SandboxMode;
}

export function newStormId(workload: string, variant: VariantName): string {
  return `${workload}-${variant}-${randomUUID().slice(0, 8)}`;
}

/** A whole storm of one workload against one binary: JSONL as it goes, a summary at the end. */
export async function runStorm(options: RunStormOptions): Promise<StormSummary> {
  const started = performance.now();
  const stormId = options.stormId ?? newStormId(options.workload.name, options.variant);
  await startResultsFile(options.resultsFile);
  const { records, interrupted } = await runIterations({
    pool: options.pool,
    binary: options.binary,
    variant: options.variant,
    workload: options.workload,
    ...(options.workloadRef ? { workloadRef: options.workloadRef } : {}),
    seed: options.seed,
    iterations: options.iterations,
    stormId,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    onRecord: async (record) => {
      await appendRecord(options.resultsFile, record);
      options.onRecord?.(record);
    },
  });
  return summarise(records, {
    stormId,
    workload: options.workload.name,
    variant: options.variant,
    binary: options.binary,
    seed: options.seed,
    lanes: options.pool.lanes.length,
    iterationsPlanned: options.iterations.length,
    interrupted,
    elapsedMs: performance.now() - started,
    resultsFile: options.resultsFile,
  });
}
