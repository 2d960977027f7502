import { type BinomialCount, checkCount } from '../stats/binomial-count.js';
import { certificateIterations } from './certificate.js';
import type { SequentialDecision, StopReason, StopRule, TestState } from './decision.js';
import { describeDecision } from './evidence.js';
import { batchLogLikelihoodRatio } from './odds-ratio-llr.js';
import { llrBounds, type SequentialSettings } from './settings.js';

/** The iterations base and head ran in one interleaved round of a cell. */
export interface BatchPair {
  readonly base: BinomialCount;
  readonly head: BinomialCount;
  /** Where the batch ran among every cell's batches (0, 1, …): the pooled bound replays them in this order. */
  readonly at?: number;
}

/** Running state of one cell's sequential test; `advance` folds batches into it. */
export interface SequentialState {
  readonly decision: SequentialDecision;
  readonly certificate: 'none' | 'no-failures' | 'all-failures';
}

function settle(test: TestState, value: number, bounds: { upper: number; lower: number }): TestState {
  if (test !== 'open') return test;
  if (value >= bounds.upper) return 'accepted';
  if (value <= bounds.lower) return 'rejected';
  return 'open';
}

function decide(
  facts: Omit<SequentialDecision, 'evidence' | 'state' | 'reason' | 'rule'>,
  stop: { reason: StopReason; rule: StopRule } | null,
  settings: SequentialSettings,
): SequentialDecision {
  const withStop = {
    ...facts,
    state: stop ? 'stop' : 'continue',
    reason: stop?.reason ?? null,
    rule: stop?.rule ?? null,
  } as const;
  return { ...withStop, evidence: describeDecision(withStop, settings) };
}

/** The state before any batch. */
export function initialState(settings: SequentialSettings): SequentialState {
  const facts = {
    llr: { worse: 0, better: 0 },
    tests: { worse: 'open', better: 'open' },
    bounds: llrBounds(settings),
    iterations: { base: 0, head: 0 },
    failures: { base: 0, head: 0 },
    batches: 0,
    certificateIterations: certificateIterations(settings.tolerance, settings.beta),
    maxIterationsPerSide: settings.maxIterationsPerSide,
  } as const;
  return { decision: decide(facts, null, settings), certificate: 'none' };
}

/**
 * Adds one batch pair and decides whether the cell is settled. Two one-sided SPRTs on the odds
 * ratio (head worse, head better) run side by side; near 0 or 1 failure rates, where they carry no
 * information, a run of identical outcomes proves the tolerance bound instead. A stopped state is
 * final: later batches do not change it (the error rates hold only for the first crossing).
 */
export function advance(
  state: SequentialState,
  batch: BatchPair,
  settings: SequentialSettings,
): SequentialState {
  const d = state.decision;
  if (d.state === 'stop') return state;
  checkCount(batch.base, 'base batch');
  checkCount(batch.head, 'head batch');
  const bounds = d.bounds;
  const iterations = { base: d.iterations.base + batch.base.n, head: d.iterations.head + batch.head.n };
  const failures = {
    base: d.failures.base + batch.base.failures,
    head: d.failures.head + batch.head.failures,
  };
  const llr = {
    worse: d.llr.worse + batchLogLikelihoodRatio(batch.base, batch.head, settings.oddsRatio),
    better: d.llr.better + batchLogLikelihoodRatio(batch.base, batch.head, 1 / settings.oddsRatio),
  };
  const tests = {
    worse: settle(d.tests.worse, llr.worse, bounds),
    better: settle(d.tests.better, llr.better, bounds),
  };
  const enough = (n: number) => n >= d.certificateIterations;
  let certificate = state.certificate;
  if (certificate === 'none' && enough(iterations.base) && enough(iterations.head)) {
    if (failures.base === 0 && failures.head === 0) certificate = 'no-failures';
    else if (failures.base === iterations.base && failures.head === iterations.head)
      certificate = 'all-failures';
  }
  const facts = { ...d, llr, tests, iterations, failures, batches: d.batches + 1 };
  const minimum = Math.min(iterations.base, iterations.head) >= settings.minIterationsPerSide;
  let stop: { reason: StopReason; rule: StopRule } | null = null;
  if (minimum) {
    if (tests.worse === 'accepted') stop = { reason: 'regression', rule: 'odds-ratio-test' };
    else if (tests.worse === 'rejected' && tests.better !== 'open') {
      stop = { reason: tests.better === 'accepted' ? 'improvement' : 'equivalent', rule: 'odds-ratio-test' };
    } else if (certificate !== 'none') stop = { reason: 'equivalent', rule: certificate };
  }
  // The cap holds whatever the minimum: a cap below it (`--iterations 8`, the App's
  // SIGSTORM_ITERATIONS_CAP) ends the cell there, short of a verdict, rather than past the cap.
  if (!stop && Math.min(iterations.base, iterations.head) >= settings.maxIterationsPerSide) {
    stop = { reason: 'cap', rule: 'cap' };
  }
  return { decision: decide(facts, stop, settings), certificate };
}

/** The decision after the given batches, in the order they ran. */
export function decideCell(batches: readonly BatchPair[], settings: SequentialSettings): SequentialDecision {
  let state = initialState(settings);
  for (const batch of batches) state = advance(state, batch, settings);
  return state.decision;
}
