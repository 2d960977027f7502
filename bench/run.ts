// The bench suite: runs the benches in bench/ one after another and prints every figure with how it was
// measured (machine, load, iterations, seeds). `npm run bench -- [--quick] [--only a,b] [--json FILE]
// [--iperf PATH]` (an esnet/iperf checkout, for the benches that also validate real iperf3).
// Figures go to stdout, progress to stderr. Each bench is its own file; this one only composes them.
import { writeFile } from 'node:fs/promises';
import { benchArgs } from './bench-args.js';
import { benches } from './benches.js';
import {
  type Conditions,
  conditionsNow,
  describeMachine,
  formatLoad,
  formatMachine,
  loadNote,
} from './machine.js';

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

const usageLine = `usage: tsx bench/run.ts [--quick] [--only ${benches.map((b) => b.name).join(',')}] [--json FILE] [--iperf PATH]\n`;

function usage(message: string, code = 2): never {
  process.stderr.write(`${message}\n${usageLine}`);
  process.exit(code);
}

const values = benchArgs(
  {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'string' },
    iperf: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  usageLine,
);
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
    const { result, text } = await bench.run({
      quick,
      signal: controller.signal,
      log,
      ...(values.iperf ? { iperf: values.iperf } : {}),
    });
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
