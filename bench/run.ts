// The bench suite: runs the benches in bench/ one after another and prints every figure with how it was
// measured (machine, load, iterations, seeds). `npm run bench -- [--quick] [--only a,b] [--json FILE]`.
// Figures go to stdout, progress to stderr. Each bench is its own file; this one only composes them.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildTimeBench, formatBuildTime } from './build-time.js';
import {
  type Conditions,
  conditionsNow,
  describeMachine,
  formatLoad,
  formatMachine,
  loadNote,
} from './machine.js';
import { formatNeutralIterations, neutralIterationsBench } from './neutral-iterations.js';
import { formatSandboxOverhead, sandboxOverheadBench } from './sandbox-overhead.js';
import { formatSequentialSimulation, sequentialSimulationBench } from './sequential-simulation.js';
import { formatShards, shardsBench } from './shards.js';
import { formatStormOverhead, stormOverheadBench } from './storm-overhead.js';
import { formatThroughputMde, throughputMdeBench } from './throughput-mde.js';
import { formatVerdictTime, verdictTimeBench } from './verdict-time.js';

interface BenchContext {
  readonly quick: boolean;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

interface Bench {
  readonly name: string;
  /** The issue's figure(s) it prints. */
  readonly figures: string;
  /** Rough duration measured on a 2-core machine (warm build cache), for the plan line. */
  readonly estimate: { readonly full: string; readonly quick: string };
  /** False for benches whose figures are not timings (the machine's load cannot distort them). */
  readonly timed?: false;
  readonly run: (ctx: BenchContext) => Promise<{ result: unknown; text: string }>;
}

const benches: readonly Bench[] = [
  {
    name: 'storm-overhead',
    figures:
      'per-iteration overhead of one lane vs a shell loop; iterations/second from 1 lane to one per core',
    estimate: { full: '2.5 min', quick: '15 s' },
    run: async ({ quick, log, signal }) => {
      const result = await stormOverheadBench({ iterations: quick ? 10 : 100, log, signal });
      return { result, text: formatStormOverhead(result) };
    },
  },
  {
    name: 'sandbox-overhead',
    figures: 'storm time per iteration in the bubblewrap sandbox against directly (bound: 1.2×)',
    estimate: { full: '1.5 min', quick: '20 s' },
    run: async ({ quick, log, signal }) => {
      const result = await sandboxOverheadBench({ iterations: quick ? 10 : 60, log, signal });
      return { result, text: formatSandboxOverhead(result) };
    },
  },
  {
    name: 'verdict-time',
    figures: 'time to a verdict for unblocked-worker-signals.patch, with and without sequential stopping',
    estimate: { full: '7 min', quick: '2.5 min' },
    run: async ({ quick, log, signal }) => {
      const result = await verdictTimeBench({ quick, log, signal });
      return { result, text: formatVerdictTime(result) };
    },
  },
  {
    name: 'neutral-iterations',
    figures: 'iterations needed for a neutral verdict on help-text.patch at the default bound',
    estimate: { full: '7.5 min', quick: '1 min' },
    run: async ({ quick, log, signal }) => {
      const result = await neutralIterationsBench({ quick, log, signal });
      return { result, text: formatNeutralIterations(result) };
    },
  },
  {
    name: 'build-time',
    figures: 'cold and warm build time for base + head in all variants',
    estimate: { full: '30 s', quick: '20 s' },
    run: async ({ quick, log, signal }) => {
      const result = await buildTimeBench({ quick, log, signal });
      return { result, text: formatBuildTime(result) };
    },
  },
  {
    name: 'throughput-mde',
    figures: 'smallest throughput change detectable at 95% with the default runs',
    estimate: { full: '1 min', quick: '15 s' },
    run: async ({ quick, log, signal }) => {
      const result = await throughputMdeBench({ quick, log, signal });
      return { result, text: formatThroughputMde(result) };
    },
  },
  {
    name: 'shards',
    figures:
      'iterations/s and time to verdict as 1 and 2 shards (separate processes on separate CPUs); merge time of many blobs',
    estimate: { full: '8 min', quick: '1.5 min' },
    run: async ({ quick, log, signal }) => {
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
      const result = sequentialSimulationBench({ runs: quick ? 200 : 2000, seed: 2024 });
      return { result, text: formatSequentialSimulation(result) };
    },
  },
];

interface BenchOutcome {
  readonly name: string;
  readonly figures: string;
  readonly start: Conditions;
  readonly end: Conditions;
  readonly seconds: number;
  readonly outcome:
    | { readonly kind: 'ok'; readonly text: string; readonly result: unknown }
    | { readonly kind: 'failed'; readonly error: string };
}

function usage(message: string, code = 2): never {
  process.stderr.write(
    `${message}\nusage: tsx bench/run.ts [--quick] [--only ${benches.map((b) => b.name).join(',')}] [--json FILE]\n`,
  );
  process.exit(code);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
})();
if (values.help) usage('sigstorm bench suite: prints every performance figure with how it was measured.', 0);
const only = values.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((name) => !benches.some((b) => b.name === name)) ?? [];
if (unknown.length > 0) usage(`unknown bench: ${unknown.join(', ')}`);
const selected = benches.filter((b) => !only || only.includes(b.name));
const quick = values.quick;

// Ctrl-C stops the running bench through its AbortSignal (storms and builds clean up their processes).
const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('bench: interrupted, stopping the running bench\n');
  controller.abort();
});

const machine = describeMachine();
const started = conditionsNow();
const out = (text: string) => process.stdout.write(`${text}\n`);
const log = (line: string) => process.stderr.write(`${line}\n`);
out(
  `sigstorm bench (${quick ? 'QUICK: shortened, figures are rough' : 'full'}) on ${formatMachine(machine)}; load average ${formatLoad(started)} at start; ${started.at}`,
);
out(
  `benches (rough time on 2 cores with a warm build cache): ${selected.map((b) => `${b.name} (~${quick ? b.estimate.quick : b.estimate.full})`).join(', ')}`,
);

const outcomes: BenchOutcome[] = [];
for (const bench of selected) {
  if (controller.signal.aborted) break;
  const start = conditionsNow();
  const t = performance.now();
  log(`bench ${bench.name}: ${bench.figures}`);
  let outcome: BenchOutcome['outcome'];
  try {
    const { result, text } = await bench.run({ quick, signal: controller.signal, log });
    outcome = { kind: 'ok', text, result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = { kind: 'failed', error: controller.signal.aborted ? 'cancelled (Ctrl-C)' : message };
  }
  const end = conditionsNow();
  const seconds = (performance.now() - t) / 1000;
  outcomes.push({ name: bench.name, figures: bench.figures, start, end, seconds, outcome });
  out('');
  out(`== ${bench.name}: ${bench.figures}`);
  out(outcome.kind === 'ok' ? outcome.text : `FAILED: ${outcome.error}`);
  out(
    `  measured on ${machine.cores} cores; ${loadNote(start, end, machine.cores, bench.timed ?? true)}; ${seconds.toFixed(0)} s${quick ? '; QUICK mode' : ''}`,
  );
}

if (values.json) {
  await writeFile(
    values.json,
    `${JSON.stringify({ machine, quick, started, finished: conditionsNow(), benches: outcomes }, null, 2)}\n`,
  );
  log(`bench: figures written to ${values.json}`);
}
const failed = outcomes.filter((o) => o.outcome.kind === 'failed').map((o) => o.name);
if (controller.signal.aborted) process.exitCode = 130;
else if (failed.length > 0) {
  log(`bench: failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
