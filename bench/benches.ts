// The registered benches: bench/run.ts runs them, the bench smoke test reads their names from here.
// Each bench's module is imported when it runs: listing the names (or refusing a wrong one) loads none.

export interface BenchContext {
  readonly quick: boolean;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  /** An esnet/iperf checkout (`--iperf`), for the benches that also validate real iperf3. */
  readonly iperf?: string;
}

export interface Bench {
  readonly name: string;
  /** The figure(s) it prints. */
  readonly figures: string;
  /** Rough duration measured on a 2-core machine (warm build cache), for the plan line. */
  readonly estimate: { readonly full: string; readonly quick: string };
  /** False for benches whose figures are not timings (the machine's load cannot distort them). */
  readonly timed?: false;
  readonly run: (ctx: BenchContext) => Promise<{ result: unknown; text: string }>;
}

export const benches: readonly Bench[] = [
  {
    name: 'storm-overhead',
    figures:
      'per-iteration overhead of one lane vs a shell loop; iterations/second from 1 lane to one per core',
    estimate: { full: '2.5 min', quick: '15 s' },
    run: async ({ quick, log, signal }) => {
      const { stormOverheadBench, formatStormOverhead } = await import('./storm-overhead.js');
      const result = await stormOverheadBench({ iterations: quick ? 10 : 100, log, signal });
      return { result, text: formatStormOverhead(result) };
    },
  },
  {
    name: 'iteration-breakdown',
    figures:
      "where an iteration's time goes (start-up, readiness, delay, exit, checks, harness) per workload on the subject (and real iperf3 with --iperf in the file's own CLI)",
    estimate: { full: '1.5 min', quick: '25 s' },
    run: async ({ quick, log, signal }) => {
      const { iterationBreakdownBench, formatIterationBreakdown } = await import('./iteration-breakdown.js');
      const result = await iterationBreakdownBench({ quick, log, signal });
      return { result, text: formatIterationBreakdown(result) };
    },
  },
  {
    name: 'sandbox-overhead',
    figures: 'storm time per iteration in the bubblewrap sandbox against directly (bound: 1.2×)',
    estimate: { full: '1.5 min', quick: '20 s' },
    run: async ({ quick, log, signal }) => {
      const { sandboxOverheadBench, formatSandboxOverhead } = await import('./sandbox-overhead.js');
      const result = await sandboxOverheadBench({ iterations: quick ? 10 : 60, log, signal });
      return { result, text: formatSandboxOverhead(result) };
    },
  },
  {
    name: 'verdict-time',
    figures: 'time to a verdict for unblocked-worker-signals.patch, with and without sequential stopping',
    estimate: { full: '7 min', quick: '2.5 min' },
    run: async ({ quick, log, signal }) => {
      const { verdictTimeBench, formatVerdictTime } = await import('./verdict-time.js');
      const result = await verdictTimeBench({ quick, log, signal });
      return { result, text: formatVerdictTime(result) };
    },
  },
  {
    name: 'thread-verdict-time',
    figures:
      'iterations and storm seconds to the verdict on unblocked-worker-signals.patch: the default validation before and after the stop on the signal-mask finding; one workload at a time before and after thread-directed workloads',
    estimate: { full: '6 min', quick: '2 min' },
    run: async ({ quick, log, signal }) => {
      const { threadVerdictBench, formatThreadVerdict } = await import('./thread-verdict-time.js');
      const result = await threadVerdictBench({ quick, log, signal });
      return { result, text: formatThreadVerdict(result) };
    },
  },
  {
    name: 'neutral-iterations',
    figures: 'iterations needed for a neutral verdict on help-text.patch at the default bound',
    estimate: { full: '7.5 min', quick: '1 min' },
    run: async ({ quick, log, signal }) => {
      const { neutralIterationsBench, formatNeutralIterations } = await import('./neutral-iterations.js');
      const result = await neutralIterationsBench({ quick, log, signal });
      return { result, text: formatNeutralIterations(result) };
    },
  },
  {
    name: 'pooled-neutral',
    figures:
      'pr profile: help-text.patch with and without a persisting noisy cell (warm base), iterations to the verdict for the regression patches',
    estimate: { full: '60 min', quick: '10 min' },
    run: async ({ quick, log, signal }) => {
      const { pooledNeutralBench, formatPooledNeutral } = await import('./pooled-neutral.js');
      const result = await pooledNeutralBench({ quick, log, signal });
      return { result, text: formatPooledNeutral(result) };
    },
  },
  {
    name: 'whole-validation',
    figures:
      'whole wall time of `sigstorm validate` through the CLI, subject (and real iperf3 with --iperf): (a) settled regression, (b) harmless with a warm base, (c) harmless with a cold base and its printed expected finish, (d) the demo; verdicts, iterations and seconds per iteration against the issue 23 goals',
    estimate: { full: '35 min (+45 min with --iperf)', quick: '9 min (+12 min with --iperf)' },
    run: async ({ quick, log, signal, iperf }) => {
      const { wholeValidationBench, formatWholeValidation } = await import('./whole-validation.js');
      const result = await wholeValidationBench({ quick, log, signal, ...(iperf ? { iperf } : {}) });
      return { result, text: formatWholeValidation(result) };
    },
  },
  {
    name: 'build-time',
    figures: 'cold and warm build time for base + head in all variants',
    estimate: { full: '30 s', quick: '20 s' },
    run: async ({ quick, log, signal }) => {
      const { buildTimeBench, formatBuildTime } = await import('./build-time.js');
      const result = await buildTimeBench({ quick, log, signal });
      return { result, text: formatBuildTime(result) };
    },
  },
  {
    name: 'throughput-mde',
    figures:
      'smallest throughput change detectable at 95% with 80% power and the runs it took, before (5 + 5 independent runs) and after (paired sequential design)',
    estimate: { full: '3–7 min', quick: '2–4 min' },
    run: async ({ quick, log, signal }) => {
      const { throughputMdeBench, formatThroughputMde } = await import('./throughput-mde.js');
      const result = await throughputMdeBench({ quick, log, signal });
      return { result, text: formatThroughputMde(result) };
    },
  },
  {
    name: 'shards',
    figures:
      'runner time and wall time of a clear regression and a harmless change as 1, 2 and 4 shards (each shard a process alone on one CPU); merge time of many blobs',
    estimate: { full: '25 min', quick: '4 min' },
    run: async ({ quick, log, signal }) => {
      const { shardsBench, formatShards } = await import('./shards.js');
      const result = await shardsBench({ quick, log, signal });
      return { result, text: formatShards(result) };
    },
  },
  {
    name: 'sequential-simulation',
    figures: 'simulated error rates and sample sizes of the sequential test',
    estimate: { full: '15 s', quick: '3 s' },
    timed: false,
    run: async ({ quick }) => {
      const { sequentialSimulationBench, formatSequentialSimulation } = await import(
        './sequential-simulation.js'
      );
      const result = sequentialSimulationBench({ runs: quick ? 200 : 2000, seed: 2024 });
      return { result, text: formatSequentialSimulation(result) };
    },
  },
  {
    name: 'look-schedules',
    figures: "when a noisy cell's coarse bound is shown: the look schedule in use against fewer later looks",
    estimate: { full: '5 s', quick: '1 s' },
    timed: false,
    run: async ({ quick }) => {
      const { lookSchedulesBench, formatLookSchedules } = await import('./look-schedules.js');
      const result = lookSchedulesBench({ runs: quick ? 400 : 4000, seed: 2024 });
      return { result, text: formatLookSchedules(result) };
    },
  },
];
