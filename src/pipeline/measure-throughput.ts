import type { BuildResult } from '../build/build-variant.js';
import type { VariantName } from '../build/variants.js';
import type { ThroughputInput } from '../compare/input.js';
import { throughputStopRule } from '../compare/throughput/compare-throughput.js';
import { lookSchedule } from '../compare/throughput/looks.js';
import type { ThroughputThresholds } from '../config/thresholds.schema.js';
import type { NotRun } from '../report/report.schema.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import { interleavedThroughput } from '../throughput/interleave.js';
import type { ThroughputWorkload } from '../workload/schema.js';
import type { Emit } from './emit.js';

/**
 * Step 4: throughput of the plain builds of base and head in ABBA pairs, with the machine to itself
 * (no storm runs now), up to `runs` pairs and stopping at a look whose interval clears the
 * thresholds (docs/throughput.md); or why it did not run.
 */
export async function measureThroughput(o: {
  readonly definition: ThroughputWorkload | null;
  /** Budget: runs per side at most. */
  readonly runs: number;
  readonly thresholds: ThroughputThresholds;
  /** The builds of base and head by variant; throughput runs their plain builds. */
  readonly builds: Readonly<Record<'base' | 'head', Partial<Record<VariantName, BuildResult>>>>;
  readonly cpus?: string;
  readonly signal?: AbortSignal;
  readonly sandbox: SandboxMode;
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
  const row = { workload: definition.name, variant: 'plain' as const, budget: throughputRuns };
  const samples = await interleavedThroughput({
    base: base.binary,
    head: head.binary,
    runs: throughputRuns,
    looks: lookSchedule(throughputRuns),
    settled: throughputStopRule(row, o.thresholds),
    definition,
    ...(o.cpus ? { cpus: o.cpus } : {}),
    ...(signal ? { signal } : {}),
    sandbox: o.sandbox,
    onRun: () =>
      emit({
        phase: 'throughput',
        message: `throughput run ${++runsDone} of at most ${2 * throughputRuns}`,
        iterationsDone: runsDone,
        iterationsTotal: 2 * throughputRuns,
      }),
  });
  return {
    throughput: [
      {
        ...row,
        base: samples.base.map((r) => r.bitsPerSecond),
        head: samples.head.map((r) => r.bitsPerSecond),
      },
    ],
    notRun: [],
  };
}
