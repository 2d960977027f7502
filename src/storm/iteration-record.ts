import { harnessError } from '../classify/classify-process.js';
import type { Outcome } from '../classify/outcome.js';
import type { VariantName } from '../compile/variants.js';
import { judgedSide, type StormWorkload } from '../workload/schema.js';
import { otherSide, type Side } from '../workload/side.js';
import type { DeliveredSignal } from './deliver.js';
import type { FollowUp } from './follow-up.js';
import type { Lane } from './lanes.js';
import type { IterationPhases } from './phases.js';
import type { IterationRecord } from './record.js';
import { reproCommand } from './repro.js';
import type { ThreadCensus } from './threads/census.schema.js';
import type { SignalTrace } from './trace/trace.schema.js';

/** What one iteration is, fixed before it starts. */
export interface IterationIdentity {
  readonly lane: Lane;
  readonly binary: string;
  readonly variant: VariantName;
  readonly workload: StormWorkload;
  readonly workloadRef: string;
  readonly seed: number;
  readonly iteration: number;
  readonly stormId: string;
}

/** The outcome of each side an iteration got as far as judging (a missing side was never started). */
export type SideOutcomes = Partial<Record<Side, Outcome>>;

/** What the iteration observed on its way, when it got that far. */
export interface IterationObservations {
  readonly delayMs?: number;
  readonly readyMs?: number;
  readonly signals?: DeliveredSignal[];
  readonly census?: Partial<Record<Side, ThreadCensus>>;
  readonly trace?: SignalTrace;
  readonly followUp?: FollowUp;
  readonly phases?: IterationPhases;
}

export interface IterationClock {
  readonly startedAt: string;
  /** performance.now() when the iteration started. */
  readonly t0: number;
}

/** The JSONL record of one iteration: its identity, the target's and peer's outcomes, and how to repeat it. */
export function iterationRecord(
  id: IterationIdentity,
  clock: IterationClock,
  port: number,
  outcomes: SideOutcomes,
  seen: IterationObservations = {},
): IterationRecord {
  const { workload: w, lane } = id;
  const judged = judgedSide(w);
  const missing = harnessError('not started: the iteration ended before this side was spawned');
  const hasPeer = w.at.moment !== 'idle';
  return {
    schemaVersion: 1,
    stormId: id.stormId,
    workload: w.name,
    variant: id.variant,
    binary: id.binary,
    iteration: id.iteration,
    seed: id.seed,
    lane: lane.index,
    cpus: lane.cpuList,
    port: port || (lane.ports[0] ?? 1),
    delayMs: seen.delayMs ?? 0,
    moment: w.at.moment,
    ...(seen.readyMs === undefined ? {} : { readyMs: roundMs(seen.readyMs) }),
    ...(seen.signals ? { signals: seen.signals } : {}),
    ...(seen.census && Object.keys(seen.census).length > 0 ? { census: seen.census } : {}),
    ...(seen.trace ? { trace: seen.trace } : {}),
    ...(seen.followUp
      ? { followUp: { ...seen.followUp, durationMs: roundMs(seen.followUp.durationMs) } }
      : {}),
    ...(seen.phases ? { phases: seen.phases } : {}),
    startedAt: clock.startedAt,
    durationMs: roundMs(performance.now() - clock.t0),
    target: { side: judged, outcome: outcomes[judged] ?? missing },
    peer: hasPeer ? { side: otherSide(judged), outcome: outcomes[otherSide(judged)] ?? missing } : null,
    repro: reproCommand({
      binary: id.binary,
      variant: id.variant,
      workloadRef: id.workloadRef,
      seed: id.seed,
      iteration: id.iteration,
      cpus: lane.cpuList,
    }),
  };
}

/** Milliseconds to one decimal, as records keep them. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
