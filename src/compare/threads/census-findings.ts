import type { VariantName } from '../../compile/variants.js';
import type { CellAim } from '../../workload/aims.js';
import type { Side } from '../../workload/side.js';
import type { Verdict } from '../comparison.schema.js';
import { describeThreads } from './mask-changes.js';
import type { CensusFinding, MaskChangeEntry } from './threads.schema.js';

/**
 * A census finding as the changes open it, before any cell has settled it: what it is, on which
 * process, the cells that aim at it (`aim`), and whether the configuration makes it a regression by
 * itself (`signal-mask` in findings.kinds).
 */
export interface OpenedFinding {
  readonly kind: CensusFinding['kind'];
  readonly process: Side;
  readonly title: string;
  readonly aim: CellAim;
  readonly byItself: boolean;
}

/** The findings a threads report's changes open: more handler threads, SIGPIPE no longer ignored. */
export function openedFindings(changes: readonly MaskChangeEntry[]): OpenedFinding[] {
  const found: OpenedFinding[] = [];
  for (const c of changes) {
    if (c.kind === 'handler-threads' && c.direction === 'more') {
      found.push({
        kind: 'handler-threads',
        process: c.process,
        title: `${c.signals.join('/')} handler on ${describeThreads(c.head)} (base: ${describeThreads(c.base)})`,
        aim: 'other-threads',
        byItself: c.finding,
      });
    } else if (c.kind === 'disposition' && c.weight === 'risk') {
      found.push({
        kind: 'sigpipe',
        process: c.process,
        title: `${c.signal} no longer ignored`,
        aim: 'vanishing-peer',
        byItself: false,
      });
    }
  }
  return found;
}

/** What settling reads of a cell: who it judges, what it aims at, and its verdict. */
export interface SettlingCellReport {
  readonly workload: string;
  readonly variant: VariantName;
  readonly side: Side;
  readonly aims: readonly CellAim[];
  readonly verdict: Verdict;
  /** Neutral within the cell's fine tolerance (its own sequential test or interval), not the coarse one. */
  readonly fine: boolean;
  readonly because: string;
}

/** What a cell that aims at it does, for the sentence of a finding no cell aimed at. */
const aimWords: Readonly<Record<CellAim, string>> = {
  'vanishing-peer': 'SIGKILLs the peer of the judged process mid-transfer (client-peer-lost, peer-stalled)',
  'other-threads':
    'aims a termination signal at a thread other than main (client-stream-sigterm, server-stream-sigterm)',
};

const label = (c: { workload: string; variant: string }) => `${c.workload} (${c.variant})`;

/**
 * Each opened finding with its status: `shown` by itself or by a regression in a cell that aims at
 * it; `harmless` when every such cell is neutral within its fine tolerance; `open` otherwise (no such
 * cell ran, or one is still undecided). An open finding keeps the verdict from neutral.
 */
export function settleFindings(
  opened: readonly OpenedFinding[],
  cells: readonly SettlingCellReport[],
): CensusFinding[] {
  return opened.map((f) => {
    const aimed = cells.filter((c) => c.side === f.process && c.aims.includes(f.aim));
    const base = { kind: f.kind, process: f.process, title: f.title, cells: aimed.map(label) };
    const regressed = aimed.find((c) => c.verdict === 'regression');
    if (f.byItself) {
      const shown = regressed ? `; shown in ${label(regressed)}: ${regressed.because}` : '';
      return {
        ...base,
        status: 'shown',
        because: `a regression by itself (signal-mask in findings.kinds)${shown}`,
      };
    }
    if (regressed) return { ...base, status: 'shown', because: `${label(regressed)}: ${regressed.because}` };
    if (aimed.length === 0) {
      return {
        ...base,
        status: 'open',
        because: `no cell of this run ${aimWords[f.aim]}: add one to the workloads`,
      };
    }
    const unsettled = aimed.find((c) => !(c.verdict === 'neutral' && c.fine));
    if (!unsettled) {
      return {
        ...base,
        status: 'harmless',
        because: `every cell that aims at it is within its fine tolerance: ${aimed.map((c) => `${label(c)}: ${c.because}`).join('; ')}`,
      };
    }
    return { ...base, status: 'open', because: `${label(unsettled)}: ${unsettled.because}` };
  });
}
