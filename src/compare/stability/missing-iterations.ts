import type { Comparison } from '../comparison.schema.js';
import { threadsVerdict } from '../threads/compare-threads.js';
import { combineVerdicts } from './compare-stability.js';

/** A cell some of whose planned iterations never arrived (a shard failed), and which shard(s). */
export interface MissingIterations {
  readonly workload: string;
  readonly variant: string;
  /** e.g. "shard 2/3 (iterations 20–39) is missing". */
  readonly because: string;
}

/**
 * Missing is never clean: a cell with missing iterations keeps a verdict only when the iterations
 * that arrived settle it (a sequential stop other than the cap, or a regression already shown);
 * otherwise it is inconclusive, and the stability verdict is recombined from the cells.
 */
export function withMissingIterations(
  comparison: Comparison,
  missing: readonly MissingIterations[],
): Comparison {
  if (missing.length === 0) return comparison;
  let changed = 0;
  const cells = comparison.stability.cells.map((cell) => {
    const gap = missing.find((m) => m.workload === cell.workload && m.variant === cell.variant);
    const seq = cell.sequential;
    const settled = (seq?.state === 'stop' && seq.reason !== 'cap') || cell.verdict === 'regression';
    if (!gap || settled || cell.verdict === 'inconclusive') return cell;
    changed++;
    return {
      ...cell,
      verdict: 'inconclusive' as const,
      because: `${gap.because}, and the iterations that arrived do not settle the cell (they alone say ${cell.verdict}: ${cell.because})`,
    };
  });
  if (changed === 0) return comparison;
  const masks = comparison.stability.threads ? threadsVerdict(comparison.stability.threads) : null;
  const verdict = combineVerdicts([...cells.map((c) => c.verdict), ...(masks ? [masks.verdict] : [])]);
  const s = changed === 1 ? '' : 's';
  const summary =
    verdict === comparison.verdict.stability
      ? comparison.summary.stability
      : `${changed} cell${s} miss iterations of a failed shard and the iterations that arrived do not settle ${changed === 1 ? 'it' : 'them'}`;
  return {
    ...comparison,
    verdict: { ...comparison.verdict, stability: verdict },
    summary: { ...comparison.summary, stability: summary },
    stability: { ...comparison.stability, cells },
  };
}
