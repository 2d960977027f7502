import { randomUUID } from 'node:crypto';
import type { VariantName } from '../compile/variants.js';
import { appendRecord, startResultsFile } from './jsonl.js';
import type { IterationRecord, StormSummary } from './record.js';
import { type RunIterationsOptions, runIterations } from './run-iterations.js';
import { summarise } from './summarise.js';

/** What runIterations takes, with a results file; the storm id is made when not given. */
export interface RunStormOptions extends Omit<RunIterationsOptions, 'stormId' | 'onRecord' | 'lanes'> {
  /** The JSONL file, emptied first; every finished iteration is appended as it finishes. */
  readonly resultsFile: string;
  readonly stormId?: string;
  readonly onRecord?: (record: IterationRecord) => void;
}

export function newStormId(workload: string, variant: VariantName): string {
  return `${workload}-${variant}-${randomUUID().slice(0, 8)}`;
}

/** A whole storm of one workload against one binary: JSONL as it goes, a summary at the end. */
export async function runStorm(options: RunStormOptions): Promise<StormSummary> {
  const started = performance.now();
  const stormId = options.stormId ?? newStormId(options.workload.name, options.variant);
  await startResultsFile(options.resultsFile);
  const { resultsFile, onRecord, ...rest } = options;
  const { records, interrupted } = await runIterations({
    ...rest,
    stormId,
    onRecord: async (record) => {
      await appendRecord(resultsFile, record);
      onRecord?.(record);
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
