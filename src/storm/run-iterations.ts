import { dirname } from 'node:path';
import type { VariantName } from '../compile/variants.js';
import { openLauncher } from '../sandbox/launcher.js';
import { defaultSandbox, type SandboxMode } from '../sandbox/sandbox.schema.js';
import type { StormWorkload } from '../workload/schema.js';
import { runIteration } from './iteration.js';
import type { Lane, LanePool } from './lanes.js';
import { openLaunchPad } from './launch-pad.js';
import type { IterationRecord } from './record.js';

export interface RunIterationsOptions {
  readonly pool: LanePool;
  readonly binary: string;
  readonly variant: VariantName;
  readonly workload: StormWorkload;
  /** How repro commands name the workload; default: its name (a bundled workload). */
  readonly workloadRef?: string;
  readonly seed: number;
  /** Iteration indices to run (with `seed` they fix every random choice); any order, any subset. */
  readonly iterations: readonly number[];
  readonly stormId: string;
  /** Called once per finished iteration, in finishing order; awaited before the lane takes the next. */
  readonly onRecord?: (record: IterationRecord) => void | Promise<void>;
  readonly signal?: AbortSignal;
  /** Lanes to use; default: all of the pool's. */
  readonly lanes?: readonly Lane[];
  /** Default: one bubblewrap sandbox for the batch, the binary's directory its only addition, read-only. */
  readonly sandbox?: SandboxMode;
}

export interface RunIterationsResult {
  /** Finished iterations only, in finishing order. */
  readonly records: IterationRecord[];
  /** `true` when `signal` stopped the run before every index ran. */
  readonly interrupted: boolean;
}

/**
 * Runs the given iterations on the pool's lanes, one at a time per lane, pulling indices from one
 * queue. Batches of different binaries can alternate on the same pool (validate interleaves base
 * and head): the lanes serialise whoever asks.
 */
export async function runIterations(options: RunIterationsOptions): Promise<RunIterationsResult> {
  const queue = [...options.iterations];
  const records: IterationRecord[] = [];
  const lanes = options.lanes ?? options.pool.lanes;
  // One sandbox per batch: base and head batches never share one.
  const launcher = await openLauncher(options.sandbox ?? defaultSandbox, {
    programDir: dirname(options.binary),
  });
  const worker = async (lane: Lane): Promise<void> => {
    const setup = {
      pool: options.pool,
      lane,
      binary: options.binary,
      variant: options.variant,
      workload: options.workload,
      launcher,
    };
    // Each iteration launches the next one's processes while it waits (none after the last).
    const pad = openLaunchPad(setup, () => queue.length > 0 && !options.signal?.aborted);
    try {
      for (;;) {
        if (options.signal?.aborted) return;
        const iteration = queue.shift();
        if (iteration === undefined) return;
        const record = await options.pool.withLane(lane, () =>
          runIteration({
            ...setup,
            pad,
            workloadRef: options.workloadRef ?? options.workload.name,
            seed: options.seed,
            iteration,
            stormId: options.stormId,
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        );
        if (record === null) return;
        records.push(record);
        await options.onRecord?.(record);
      }
    } finally {
      await pad.close();
    }
  };
  try {
    await Promise.all(lanes.map(worker));
  } finally {
    await launcher.close();
  }
  const interrupted = records.length < options.iterations.length && (options.signal?.aborted ?? false);
  return { records, interrupted };
}
