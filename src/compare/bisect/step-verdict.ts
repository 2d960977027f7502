import type { SequentialDecision } from '../sequential/decision.js';

/** What one bisection step found out about its candidate, compared with the good point. */
export const stepVerdicts = ['bad', 'good', 'inconclusive'] as const;
export type StepVerdict = (typeof stepVerdicts)[number];

/**
 * A step's verdict from its cells' sequential tests, and nothing else (no Fisher test at the cap,
 * no new-signature rule: only the tests whose error rates the bisection splits):
 * - bad: a cell's test showed the regression (its "worse" boundary was crossed);
 * - good: every cell's test stopped equivalent (or better): none is worse by the designed effect;
 * - inconclusive: anything else (a cap, the budget, harness errors): retest with more iterations.
 */
export function stepVerdict(decisions: readonly SequentialDecision[]): StepVerdict {
  if (decisions.length === 0) return 'inconclusive';
  if (decisions.some((d) => d.state === 'stop' && d.reason === 'regression')) return 'bad';
  const settled = (d: SequentialDecision) =>
    d.state === 'stop' && (d.reason === 'equivalent' || d.reason === 'improvement');
  return decisions.every(settled) ? 'good' : 'inconclusive';
}
