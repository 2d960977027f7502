import type { TreeSide } from '../source/tree-side.js';
import { SigstormError } from '../util/errors.js';
import { measureThroughput, type ThroughputOptions, type ThroughputRun } from './measure.js';

export interface InterleavedOptions extends Omit<ThroughputOptions, 'binary'> {
  base: string;
  head: string;
  /** Runs per side at most (default 5): the budget. */
  runs?: number;
  /**
   * Pair counts after which `settled` is asked (e.g. lookSchedule of src/compare/throughput/looks.ts);
   * absent or without `settled`: every run of the budget.
   */
  looks?: readonly number[];
  /** Given the figures so far (pair i: base[i], head[i]), true stops the runs at this look. */
  settled?: (figures: { readonly base: readonly number[]; readonly head: readonly number[] }) => boolean;
  /** Called after every run, e.g. for progress. */
  onRun?: (side: TreeSide, index: number, run: ThroughputRun) => void;
  /**
   * Pairs already made (whole pairs, in this order): the runs go on from them, in the same ABBA
   * order, and count towards `runs`; the looks they passed are not taken again.
   */
  from?: InterleavedThroughput;
}

export interface InterleavedThroughput {
  base: ThroughputRun[];
  head: ThroughputRun[];
  /** The order the runs were made in, e.g. base, head, head, base, … */
  order: TreeSide[];
  /** `settled`: a look stopped the runs before the budget; `budget`: every run was made. */
  stopped: 'settled' | 'budget';
}

/**
 * The order of runs: ABBA ABBA …, so that a linear drift of the machine (warming, a neighbour
 * starting) adds the same to both sides instead of favouring whichever ran first. Run 2i and 2i + 1
 * are pair i, base first in even pairs and head first in odd ones.
 */
export function abbaOrder(runs: number): TreeSide[] {
  const order: TreeSide[] = [];
  for (let pair = 0; pair < runs; pair++) order.push(...pairOrder(pair));
  return order;
}

const pairOrder = (pair: number): readonly TreeSide[] =>
  pair % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);

/**
 * Measures base and head in ABBA pairs on the same cores and settings, up to `runs` each; after
 * each of `looks` asks `settled` whether the figures so far suffice.
 */
export async function interleavedThroughput(opts: InterleavedOptions): Promise<InterleavedThroughput> {
  const runs = opts.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new SigstormError(`Invalid number of throughput runs ${runs}.`, {
      hint: 'Use at least 1 (6 or more for an interval).',
    });
  }
  const { base, head, onRun, runs: _runs, looks, settled, from, ...common } = opts;
  const samples: InterleavedThroughput = {
    base: [...(from?.base ?? [])],
    head: [...(from?.head ?? [])],
    order: [...(from?.order ?? [])],
    stopped: 'budget',
  };
  const made = Math.min(samples.base.length, samples.head.length);
  if (samples.base.length !== samples.head.length) {
    throw new Error(
      `interleavedThroughput: from holds ${samples.base.length} base and ${samples.head.length} head runs, not whole pairs`,
    );
  }
  for (let pair = made; pair < runs; pair++) {
    for (const side of pairOrder(pair)) {
      const binary = side === 'base' ? base : head;
      try {
        const run = await measureThroughput({ ...common, binary });
        samples[side].push(run);
        samples.order.push(side);
        onRun?.(side, samples[side].length - 1, run);
      } catch (error) {
        if (error instanceof SigstormError) {
          throw new SigstormError(
            `Throughput run ${samples[side].length + 1} of ${side} failed: ${error.message}`,
            {
              hint: error.hint,
              details: error.details,
              cause: error,
            },
          );
        }
        throw error;
      }
    }
    const done = pair + 1;
    if (done < runs && settled && looks?.includes(done)) {
      const figures = (rs: ThroughputRun[]) => rs.map((r) => r.bitsPerSecond);
      if (settled({ base: figures(samples.base), head: figures(samples.head) })) {
        samples.stopped = 'settled';
        break;
      }
    }
  }
  return samples;
}
