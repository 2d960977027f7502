import type { VariantName } from '../compile/variants.js';
import { countOutcomes } from './count-outcomes.js';
import type { IterationRecord, StormSummary } from './record.js';
import { judgedCensus } from './threads/signal-takers.js';

export interface SummaryMeta {
  readonly stormId: string;
  readonly workload: string;
  readonly variant: VariantName;
  readonly binary: string;
  readonly seed: number;
  readonly lanes: number;
  readonly iterationsPlanned: number;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
  readonly resultsFile: string;
}

/** Counts outcomes by class (target and peer apart) and by signature, with evidence and a repro. */
export function summarise(records: readonly IterationRecord[], meta: SummaryMeta): StormSummary {
  const { outcomes, peerOutcomes, signatures, harnessErrors } = countOutcomes(records);
  const census = judgedCensus(records);
  const durations = records.map((r) => r.durationMs).sort((a, b) => a - b);
  const mid = durations.length / 2;
  const median =
    durations.length === 0
      ? 0
      : durations.length % 2 === 1
        ? (durations[Math.floor(mid)] ?? 0)
        : ((durations[mid - 1] ?? 0) + (durations[mid] ?? 0)) / 2;

  return {
    schemaVersion: 1,
    stormId: meta.stormId,
    workload: meta.workload,
    variant: meta.variant,
    binary: meta.binary,
    seed: meta.seed,
    lanes: meta.lanes,
    iterationsPlanned: meta.iterationsPlanned,
    iterationsDone: records.length,
    outcomes,
    peerOutcomes,
    signatures,
    harnessErrors,
    ...(census ? { census } : {}),
    medianIterationMs: median,
    interrupted: meta.interrupted,
    elapsedMs: Math.round(meta.elapsedMs),
    resultsFile: meta.resultsFile,
  };
}
