import { formatCount, formatPercent } from '../../util/format.js';
import { upperBound } from '../stats/clopper-pearson.js';
import type { SequentialDecision } from './decision.js';
import type { SequentialSettings } from './settings.js';

type Facts = Omit<SequentialDecision, 'evidence'>;

function counts(f: Facts): string {
  return `base ${formatCount(f.failures.base)} of ${formatCount(f.iterations.base)}, head ${formatCount(
    f.failures.head,
  )} of ${formatCount(f.iterations.head)} failed`;
}

function perSide(f: Facts, what: 'failures' | 'iterations'): string {
  const { base, head } = f[what];
  return base === head
    ? `${formatCount(base)} per side`
    : `${formatCount(base)} (base) and ${formatCount(head)} (head)`;
}

const llr = (value: number) => value.toFixed(2);

/** The sentence that says what a sequential decision rests on. */
export function describeDecision(f: Facts, settings: SequentialSettings): string {
  const odds = `${settings.oddsRatio}×`;
  const confidence = `${Math.round((1 - settings.beta) * 100)}%`;
  switch (f.rule) {
    case 'odds-ratio-test':
      if (f.reason === 'regression') {
        return `${counts(f)}: head's odds of failing are higher than base's (log-likelihood ratio ${llr(
          f.llr.worse,
        )} ≥ ${llr(f.bounds.upper)})`;
      }
      if (f.reason === 'improvement') {
        return `${counts(f)}: head's odds of failing are lower than base's (log-likelihood ratio ${llr(
          f.llr.better,
        )} ≥ ${llr(f.bounds.upper)})`;
      }
      return `${counts(f)}: neither side's odds of failing are ${odds} the other's (log-likelihood ratios ${llr(
        f.llr.worse,
      )} and ${llr(f.llr.better)} ≤ ${llr(f.bounds.lower)})`;
    case 'no-failures': {
      const bound = upperBound(
        { n: Math.min(f.iterations.base, f.iterations.head), failures: 0 },
        1 - settings.beta,
      );
      return `0 of ${perSide(f, 'iterations')}: head's failure rate is at most ${formatPercent(bound)} at ${confidence}`;
    }
    case 'all-failures':
      return `every iteration failed, ${perSide(f, 'iterations')}: the failure rate cannot tell base and head apart (signatures can)`;
    case 'cap':
      return `${counts(f)}: no decision at the cap of ${formatCount(f.maxIterationsPerSide)} per side`;
    default:
      return `${counts(f)} so far (log-likelihood ratios ${llr(f.llr.worse)} worse, ${llr(
        f.llr.better,
      )} better; bounds ${llr(f.bounds.lower)} and ${llr(f.bounds.upper)})`;
  }
}
