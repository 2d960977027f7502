import type { BuildResult } from '../build/build-variant.js';
import type { VariantName } from '../build/variants.js';
import type { ThroughputInput } from '../compare/input.js';
import type { NotRun } from '../report/report.schema.js';
import { interleavedThroughput } from '../throughput/interleave.js';
import type { ThroughputWorkload } from '../workload/schema.js';
import type { Emit } from './emit.js';

/**
 * Step 4: throughput of the plain builds of base and head, interleaved, with the machine to itself
 * (no storm runs now); or why it did not run.
 */
export async function measureThroughput(o: {
  readonly definition: ThroughputWorkload | null;
  readonly runs: number;
  /** The builds of base and head by variant; throughput runs their plain builds. */
  readonly builds: Readonly<Record<'base' | 'head', Partial<Record<VariantName, BuildResult>>>>;
  readonly cpus?: string;
  readonly signal?: AbortSignal;
  readonly emit: Emit;
}): Promise<{ throughput: ThroughputInput[]; notRun: NotRun[] }> {
  const { definition, runs: throughputRuns, emit, signal } = o;
  if (!definition || throughputRuns <= 0) {
    return {
      throughput: [],
      notRun: [
        { what: 'throughput', why: definition ? 'throughput runs set to 0' : 'no throughput definition' },
      ],
    };
  }
  const base = o.builds.base.plain;
  const head = o.builds.head.plain;
  if (!base || !head) throw new Error('throughput needs the plain builds of base and head');
  let runsDone = 0;
  const samples = await interleavedThroughput({
    base: base.binary,
    head: head.binary,
    runs: throughputRuns,
    definition,
    ...(o.cpus ? { cpus: o.cpus } : {}),
    ...(signal ? { signal } : {}),
    onRun: () =>
      emit({
        phase: 'throughput',
        message: `throughput run ${++runsDone} of ${2 * throughputRuns}`,
        iterationsDone: runsDone,
        iterationsTotal: 2 * throughputRuns,
      }),
  });
  return {
    throughput: [
      {
        workload: definition.name,
        variant: 'plain',
        base: samples.base.map((r) => r.bitsPerSecondReceived),
        head: samples.head.map((r) => r.bitsPerSecondReceived),
      },
    ],
    notRun: [],
  };
}
