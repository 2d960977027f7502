import { judgedOf, outcomeKinds } from '../../classify/outcome.js';
import type { SideStats } from '../comparison.schema.js';
import type { SideObservation } from '../input.js';
import type { BinomialCount } from '../stats/binomial-count.js';
import { upperBound } from '../stats/clopper-pearson.js';
import { wilsonInterval } from '../stats/wilson.js';

/**
 * Judged iterations and failures of one side: harness errors are never counted either way, and
 * noise-only sanitizer outcomes count as clean.
 */
export function judgedCount(side: SideObservation): BinomialCount {
  const { judged, failures } = judgedOf(side.outcomes);
  const noise = Math.min(side.noiseOnly ?? 0, side.outcomes.sanitizer);
  return { n: judged, failures: failures - noise };
}

export function iterationsRun(side: SideObservation): number {
  return outcomeKinds.reduce((sum, kind) => sum + side.outcomes[kind], 0);
}

/** Rate, Wilson interval and exact "at most" bound of one side of a cell. */
export function sideStats(side: SideObservation, confidence: number): SideStats {
  const count = judgedCount(side);
  return {
    iterations: iterationsRun(side),
    judged: count.n,
    failures: count.failures,
    harnessErrors: side.outcomes['harness-error'],
    noiseOnly: Math.min(side.noiseOnly ?? 0, side.outcomes.sanitizer),
    rate: count.n === 0 ? null : count.failures / count.n,
    interval: wilsonInterval(count, confidence),
    atMost: upperBound(count, confidence),
    outcomes: { ...side.outcomes },
    peerOutcomes: { ...side.peerOutcomes },
    cleanExitCodes: { ...side.cleanExitCodes },
    interrupted: side.interrupted ?? false,
  };
}
