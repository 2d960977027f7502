import { SigstormError } from '../util/errors.js';
import { measureThroughput, type ThroughputOptions, type ThroughputRun } from './measure.js';

export type ThroughputSide = 'base' | 'head';

export interface InterleavedOptions extends Omit<ThroughputOptions, 'binary'> {
  base: string;
  head: string;
  /** Runs per side (default 5). */
  runs?: number;
  /** Called after every run, e.g. for progress. */
  onRun?: (side: ThroughputSide, index: number, run: ThroughputRun) => void;
}

export interface InterleavedThroughput {
  base: ThroughputRun[];
  head: ThroughputRun[];
  /** The order the runs were made in, e.g. base, head, head, base, … */
  order: ThroughputSide[];
}

/**
 * The order of runs: ABBA ABBA …, so that a linear drift of the machine (warming, a neighbour
 * starting) adds the same to both sides instead of favouring whichever ran first.
 */
export function abbaOrder(runs: number): ThroughputSide[] {
  const order: ThroughputSide[] = [];
  for (let pair = 0; pair < runs; pair++) {
    order.push(...(pair % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const)));
  }
  return order;
}

/** Measures base and head alternately, `runs` samples each, on the same cores and settings. */
export async function interleavedThroughput(opts: InterleavedOptions): Promise<InterleavedThroughput> {
  const runs = opts.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new SigstormError(`Invalid number of throughput runs ${runs}.`, {
      hint: 'Use at least 1 (5 or more for an interval).',
    });
  }
  const { base, head, onRun, runs: _runs, ...common } = opts;
  const samples: InterleavedThroughput = { base: [], head: [], order: abbaOrder(runs) };
  for (const side of samples.order) {
    const binary = side === 'base' ? base : head;
    try {
      const run = await measureThroughput({ ...common, binary });
      samples[side].push(run);
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
  return samples;
}
