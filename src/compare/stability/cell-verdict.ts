import type { StabilityThresholds } from '../../config/thresholds.schema.js';
import { formatCount, formatPercent } from '../../util/format.js';
import type { CellReport, Verdict } from '../comparison.schema.js';
import type { NeutralDesign } from '../neutral/design.js';
import { truncationAlphaShare } from '../sequential/settings.js';

type Facts = Omit<CellReport, 'verdict' | 'because'>;

const pct = (rate: number | null) => (rate === null ? 'n/a' : formatPercent(rate));

function rates(f: Facts): string {
  return `head failed ${formatCount(f.head.failures)} of ${formatCount(f.head.judged)} (${pct(f.head.rate)}), base ${formatCount(
    f.base.failures,
  )} of ${formatCount(f.base.judged)} (${pct(f.base.rate)})`;
}

/**
 * A neutral cell shown within its fine tolerance (its sequential test's equivalence, or the rate
 * difference's bound), not only within the pooled statement's coarse one: what settles a census
 * finding as harmless.
 */
export function fineNeutral(
  c: Pick<CellReport, 'verdict' | 'sequential' | 'difference' | 'tolerance'>,
): boolean {
  if (c.verdict !== 'neutral') return false;
  return c.sequential?.reason === 'equivalent' || (c.difference?.upper ?? 1) <= c.tolerance;
}

/**
 * The verdict of one cell. A sequential stop is final (its error rates are the designed ones); a
 * cell that ran a fixed number of iterations, hit the cap or was cut short is judged by the
 * Holm-adjusted Fisher tests and, for neutral, by the upper bound of the rate difference.
 */
export function cellVerdict(
  f: Facts,
  t: StabilityThresholds,
  design: NeutralDesign = 'per-cell',
): { verdict: Verdict; because: string } {
  const seq = f.sequential;
  const decidedBySequence = seq !== null && seq.state === 'stop' && seq.reason !== 'cap';
  const fixed = !decidedBySequence;
  // A fixed-size run has all of alpha; after a sequential test only the share it left.
  const alpha = seq === null ? t.alpha : t.alpha * truncationAlphaShare;
  const p = (value: number) => (value < 0.0001 ? '< 0.0001' : `= ${value.toPrecision(2)}`);
  if (seq?.reason === 'regression') return { verdict: 'regression', because: seq.evidence };
  if (fixed && f.pValues.worseAdjusted < alpha) {
    return {
      verdict: 'regression',
      because: `${rates(f)}: head fails more often (Fisher p ${p(f.pValues.worseAdjusted)} after Holm)`,
    };
  }
  if (f.findings > 0) {
    const s = f.findings === 1 ? '' : 's';
    return {
      verdict: 'regression',
      because: `${f.findings} new failure cause${s} in head that base never showed`,
    };
  }
  const minJudged = Math.min(f.base.judged, f.head.judged);
  if (minJudged < t.minIterationsPerSide) {
    return {
      verdict: 'inconclusive',
      because: `only ${formatCount(minJudged)} judged iterations on a side (at least ${t.minIterationsPerSide} needed)`,
    };
  }
  for (const [name, side] of [
    ['base', f.base],
    ['head', f.head],
  ] as const) {
    if (side.iterations > 0 && side.harnessErrors / side.iterations > t.maxHarnessErrorShare) {
      return {
        verdict: 'inconclusive',
        because: `harness errors in ${formatCount(side.harnessErrors)} of ${formatCount(side.iterations)} ${name} iterations (more than ${formatPercent(t.maxHarnessErrorShare)})`,
      };
    }
  }
  if (seq?.reason === 'improvement') return { verdict: 'improvement', because: seq.evidence };
  if (fixed && f.pValues.betterAdjusted < alpha) {
    return {
      verdict: 'improvement',
      because: `${rates(f)}: head fails less often (Fisher p ${p(f.pValues.betterAdjusted)} after Holm)`,
    };
  }
  if (seq?.reason === 'equivalent') return { verdict: 'neutral', because: seq.evidence };
  if (design === 'pooled' && f.coarse?.shown && f.coarse.upper !== null) {
    const c = f.coarse;
    return {
      verdict: 'neutral',
      because: `${rates(f)}: head fails at most ${formatPercent(c.upper ?? 0)} more often than base at ${Math.round(
        (c.confidence ?? 0) * 100,
      )}% (coarse tolerance ${formatPercent(c.tolerance)})`,
    };
  }
  const upper = f.difference?.upper ?? 1;
  const confidence = `${Math.round((f.difference?.confidence ?? t.confidence) * 100)}%`;
  if (upper <= f.tolerance) {
    return {
      verdict: 'neutral',
      because: `${rates(f)}: head fails at most ${formatPercent(Math.max(0, upper))} more often than base at ${confidence}`,
    };
  }
  const c = f.coarse;
  if (design === 'pooled' && c && !c.shown && c.upper !== null) {
    // The pooled statement needs the coarse bound; its looks spend beta, so say where it stood.
    return {
      verdict: 'inconclusive',
      because: `${rates(f)}: within ${formatPercent(c.tolerance)} not shown: up to ${formatPercent(c.upper)} at the last look (${formatCount(Math.min(c.iterations.base, c.iterations.head))} per side, at ${((c.confidence ?? 0) * 100).toFixed(2)}%)`,
    };
  }
  const why =
    seq === null
      ? 'after a fixed-size run'
      : seq.reason === 'cap'
        ? 'at the cap'
        : 'when the run was cut short';
  return {
    verdict: 'inconclusive',
    because: `${rates(f)} ${why}: a rise of up to ${formatPercent(upper)} cannot be ruled out (tolerance ${formatPercent(f.tolerance)})`,
  };
}
