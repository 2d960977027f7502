// The wait a maintainer sees (issue 23, item 6): the whole wall time of `sigstorm validate` as a user
// runs it (the real CLI, a child process, progress on stderr), on the bundled subject and on a real
// iperf3 tree, for
//   (a) a settled stability regression (warm base),
//   (b) a harmless change with a warm base,
//   (c) the same harmless change with a cold base (one command), and its first printed expected
//       finish ("about 9 min left") against the actual,
//   (d) `npm run demo`'s job (`sigstorm demo`, subject only) from a warm clone,
// with the verdicts, iterations per side and mean seconds per iteration, against the issue's goals.
// Builds are never what is timed: every tree is built first into the bench's own cache directory,
// and (c) starts with that directory's base results removed (builds kept). Run:
//   npx tsx bench/whole-validation.ts [--quick] [--only a,b,c,d] [--iperf PATH [--ref 3.18]]
//     [--subject-only | --iperf-only] [--cache-dir DIR] [--json FILE]
// bench/run.ts calls wholeValidationBench().
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Report } from '../src/report/report.schema.js';
import { bundledPatchesDir, cacheRoot, installRoot } from '../src/util/paths.js';
import { benchArgs } from './bench-args.js';
import { changes as censusChanges } from './census-findings.js';
import { type IperfChange, iperfBranches, replaceOnce } from './iperf-branches.js';
import { type Conditions, conditionsNow, describeMachine, formatLoad, formatMachine } from './machine.js';

export const rowIds = ['a', 'b', 'c', 'd'] as const;
export type RowId = (typeof rowIds)[number];

interface Goal {
  readonly what: string;
  readonly seconds: number;
  /** The stability verdict the row must reach (null: any). */
  readonly verdict: 'regression' | 'neutral' | null;
  /** Largest |error| of the first printed expected finish, percent. */
  readonly etaPercent?: number;
}

/** The issue's goals on 2 cores. */
export const goals: Readonly<Record<RowId, Goal>> = {
  a: { what: 'settled stability regression, warm base', seconds: 120, verdict: 'regression' },
  b: { what: 'harmless change, warm base', seconds: 360, verdict: 'neutral' },
  c: { what: 'harmless change, cold base', seconds: 960, verdict: 'neutral', etaPercent: 20 },
  d: { what: 'sigstorm demo (npm run demo), warm clone', seconds: 180, verdict: null },
};

/** The harmless change on real iperf3: one usage-text line (no behaviour changes). */
export const iperfHarmless: IperfChange = {
  name: 'harmless-usage',
  what: 'usage text: the -i line says 0 disables the reports',
  edit: {
    'src/iperf_locale.c': (t) =>
      replaceOnce(
        t,
        '"  -i, --interval  #         seconds between periodic throughput reports\\n"',
        '"  -i, --interval  #         seconds between periodic throughput reports (0: none)\\n"',
        'src/iperf_locale.c',
      ),
  },
};

/** The regressing change on real iperf3: census-findings' worker-mask change. */
function iperfRegression(): IperfChange {
  const change = censusChanges.find((c) => c.name === 'worker-mask');
  if (!change) throw new Error('census-findings has no worker-mask change');
  return change;
}

export interface EtaFigure {
  /** The first progress line that said the expected finish. */
  readonly line: string;
  /** When it was printed, seconds after the command started. */
  readonly atSeconds: number;
  readonly predictedSeconds: number;
  /** The command's actual time from that line to its end. */
  readonly actualSeconds: number;
  /** (predicted − actual) / actual, percent. */
  readonly errorPercent: number;
}

export interface WholeRow {
  readonly target: string;
  readonly row: RowId;
  readonly what: string;
  /** The sigstorm command line, as a user would type it (paths of this run). */
  readonly command: string;
  readonly start: Conditions;
  readonly end: Conditions;
  readonly seconds: number;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly error: string | null;
  readonly verdict: { readonly stability: string; readonly throughput: string } | null;
  readonly headline: string | null;
  /** Iterations per side in the report (base: reused from the cache included). */
  readonly iterations: { readonly base: number; readonly head: number } | null;
  /** Iterations this command ran (not reused), per side. */
  readonly ran: { readonly base: number; readonly head: number };
  /** Mean wall time of one iteration this command ran (its record's duration), seconds. */
  readonly meanIterationSeconds: { readonly base: number | null; readonly head: number | null };
  /** Throughput runs per side and each row's label. */
  readonly throughput: { readonly runs: number; readonly labels: readonly string[] };
  /** Every build the report lists came from the cache (null: no report). */
  readonly buildsCached: boolean | null;
  /** First time each progress phase was printed, seconds after the start. */
  readonly phases: Readonly<Record<string, number>>;
  readonly eta: EtaFigure | null;
  /** What was done before the clock started (the base warm-up, the removed base results). */
  readonly before: string | null;
  readonly goal: { readonly pass: boolean; readonly why: string };
}

export interface WholeValidationResult {
  readonly quick: boolean;
  readonly cacheDir: string;
  readonly rows: readonly WholeRow[];
  /** Targets not run and why (no --iperf given). */
  readonly skipped: readonly string[];
}

export interface WholeValidationOptions {
  readonly quick?: boolean;
  readonly only?: readonly RowId[];
  readonly subject?: boolean;
  /** An esnet/iperf checkout (only read: cloned to a temporary directory). */
  readonly iperf?: string;
  readonly ref?: string;
  /** The bench's own cache (SIGSTORM_CACHE_DIR of every command); its base results are removed for (c). */
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

const bin = join(installRoot, 'bin', 'sigstorm.js');

interface CliRun {
  readonly code: number | null;
  readonly seconds: number;
  readonly stdout: string;
  readonly lines: readonly { readonly at: number; readonly line: string }[];
  readonly timedOut: boolean;
  readonly startedAtMs: number;
}

/**
 * One sigstorm command as a child process in its own process group: stderr lines timestamped (and
 * logged), stdout kept. A timeout or an abort sends SIGINT (sigstorm stops its storms and kills their
 * processes), then SIGKILL to the group 30 s later; whatever is left of the group at the end is killed.
 */
function runCli(
  args: readonly string[],
  o: {
    readonly env: NodeJS.ProcessEnv;
    readonly timeoutMs: number;
    readonly log: (line: string) => void;
    readonly prefix: string;
    readonly signal?: AbortSignal;
  },
): Promise<CliRun> {
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    cwd: installRoot,
    env: o.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  const lines: { at: number; line: string }[] = [];
  let stdout = '';
  let partial = '';
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (sig: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is gone
    }
  };
  const stop = () => {
    child.kill('SIGINT');
    killTimer ??= setTimeout(() => killGroup('SIGKILL'), 30_000);
  };
  const timeout = setTimeout(() => {
    timedOut = true;
    o.log(`${o.prefix}timed out after ${(o.timeoutMs / 1000).toFixed(0)} s: stopping it`);
    stop();
  }, o.timeoutMs);
  o.signal?.addEventListener('abort', stop, { once: true });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    const at = (performance.now() - t0) / 1000;
    const parts = (partial + d).split(/\r|\n/);
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines.push({ at, line });
      o.log(`${o.prefix}${line}`);
    }
  });
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      o.signal?.removeEventListener('abort', stop);
      // Anything left in the command's own process group is ended (the group is ours).
      killGroup('SIGKILL');
      if (partial.trim() !== '') lines.push({ at: (performance.now() - t0) / 1000, line: partial });
      done({ code, seconds: (performance.now() - t0) / 1000, stdout, lines, timedOut, startedAtMs });
    });
  });
}

/** "about 9 min left" → 540; "about 40 s left" → 40; "less than 10 s left" → 5. */
export function parseAboutLeft(line: string): number | null {
  const m = / · (?:about (\d+) (s|min)|(less than 10 s)) left(?: · |$)/.exec(line);
  if (!m) return null;
  if (m[3]) return 5;
  return Number(m[1]) * (m[2] === 'min' ? 60 : 1);
}

function etaOf(run: CliRun): EtaFigure | null {
  for (const { at, line } of run.lines) {
    const predicted = parseAboutLeft(line);
    if (predicted === null) continue;
    const actual = run.seconds - at;
    return {
      line,
      atSeconds: at,
      predictedSeconds: predicted,
      actualSeconds: actual,
      errorPercent: actual > 0 ? ((predicted - actual) / actual) * 100 : Number.POSITIVE_INFINITY,
    };
  }
  return null;
}

/** Per side: iterations this command ran (started after it did) and their mean duration. */
async function iterationsRun(outDir: string, startedAtMs: number) {
  const acc = { base: { n: 0, ms: 0 }, head: { n: 0, ms: 0 } };
  const dir = join(outDir, 'iterations');
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const file of files) {
    const side = file.endsWith('.base.jsonl') ? 'base' : file.endsWith('.head.jsonl') ? 'head' : null;
    if (!side) continue;
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as { startedAt?: string; durationMs?: number };
      // A reused base record was started by an earlier command.
      if (record.startedAt === undefined || Date.parse(record.startedAt) < startedAtMs - 1000) continue;
      acc[side].n += 1;
      acc[side].ms += record.durationMs ?? 0;
    }
  }
  const mean = (s: { n: number; ms: number }) => (s.n > 0 ? s.ms / s.n / 1000 : null);
  return {
    ran: { base: acc.base.n, head: acc.head.n },
    meanIterationSeconds: { base: mean(acc.base), head: mean(acc.head) },
  };
}

function judge(row: RowId, r: Omit<WholeRow, 'goal'>): WholeRow['goal'] {
  const goal = goals[row];
  const misses: string[] = [];
  if (r.error) misses.push(r.error);
  if (r.seconds > goal.seconds) misses.push(`${r.seconds.toFixed(0)} s > ${goal.seconds} s`);
  if (goal.verdict && r.verdict?.stability !== goal.verdict)
    misses.push(`stability ${r.verdict?.stability ?? 'none'}, not ${goal.verdict}`);
  if (goal.etaPercent !== undefined) {
    if (!r.eta) misses.push('no expected finish printed');
    else if (Math.abs(r.eta.errorPercent) > goal.etaPercent)
      misses.push(`ETA off by ${r.eta.errorPercent.toFixed(0)}% (goal ±${goal.etaPercent}%)`);
  }
  if (row === 'd' && r.throughput.runs === 0) misses.push('the report shows no throughput figures');
  const target = `≤ ${goal.seconds / 60} min${goal.verdict ? `, ${goal.verdict}` : ''}${goal.etaPercent ? `, ETA within ${goal.etaPercent}%` : ''}${row === 'd' ? ', throughput figures' : ''}`;
  return misses.length === 0
    ? { pass: true, why: target }
    : { pass: false, why: `${target}: ${misses.join('; ')}` };
}

interface Target {
  readonly name: string;
  /** validate's tree flags: base only, harmless head, regressing head. */
  readonly base: readonly string[];
  readonly harmless: readonly string[];
  readonly regression: readonly string[];
  /** `sigstorm build` flags of every tree, and the rows that validate it. */
  readonly builds: readonly {
    readonly flags: readonly string[];
    readonly rows: readonly RowId[];
    /** A regressing head: its evidence pass reruns the finding on ASan, so ASan is built in any mode. */
    readonly evidence?: true;
  }[];
  readonly demo: boolean;
  readonly cleanup: () => Promise<void>;
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export async function wholeValidationBench(o: WholeValidationOptions = {}): Promise<WholeValidationResult> {
  const quick = o.quick ?? false;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const only = new Set<RowId>(o.only ?? rowIds);
  const cacheDir = resolve(o.cacheDir ?? `${cacheRoot()}-bench-whole-validation`);
  if (cacheDir === cacheRoot())
    throw new Error(
      `whole-validation: --cache-dir ${cacheDir} is sigstorm's own cache: the bench removes its base results for (c); give it a directory of its own`,
    );
  const env = { ...process.env, SIGSTORM_CACHE_DIR: cacheDir };
  // QUICK: the quick set (2 workloads), plain only, a 90 s budget (the demo 60 s): proves the path, no figure.
  const variants = quick ? ['plain'] : ['plain', 'asan'];
  const shape = quick ? ['--workloads', 'set:quick', '--variants', 'plain', '--budget', '90s'] : [];
  const timeoutMs = (row: RowId): number =>
    quick ? 8 * 60_000 : { a: 12, b: 20, c: 35, d: 15 }[row] * 60_000;
  const patch = (name: string) => join(bundledPatchesDir, name);

  const targets: Target[] = [];
  const skipped: string[] = [];
  if (o.subject ?? true) {
    targets.push({
      name: 'subject',
      base: [],
      harmless: ['--head-patches', patch('help-text.patch')],
      regression: ['--head-patches', patch('unblocked-worker-signals.patch')],
      builds: [
        { flags: [], rows: ['a', 'b', 'c', 'd'] },
        { flags: ['--patches', patch('help-text.patch')], rows: ['b', 'c'] },
        { flags: ['--patches', patch('unblocked-worker-signals.patch')], rows: ['a', 'd'] },
      ],
      demo: true,
      cleanup: async () => undefined,
    });
  }
  if (o.iperf) {
    const ref = o.ref ?? '3.18';
    const regression = iperfRegression();
    const repo = await iperfBranches(o.iperf, ref, [iperfHarmless, regression]);
    const tree = ['--repo', repo, '--base', ref];
    targets.push({
      name: `iperf3 ${ref}`,
      base: tree,
      harmless: [...tree, '--head', iperfHarmless.name],
      regression: [...tree, '--head', regression.name],
      builds: [
        { flags: ['--repo', repo, '--ref', ref], rows: ['a', 'b', 'c'] },
        { flags: ['--repo', repo, '--ref', iperfHarmless.name], rows: ['b', 'c'] },
        { flags: ['--repo', repo, '--ref', regression.name], rows: ['a'], evidence: true },
      ],
      demo: false,
      cleanup: () => rm(repo, { recursive: true, force: true }),
    });
  } else skipped.push('real iperf3: no --iperf PATH given');

  const rows: WholeRow[] = [];
  const aborted = () => o.signal?.aborted ?? false;
  try {
    for (const target of targets) {
      if (aborted()) break;
      const prefix = (what: string) => `    [${target.name} ${what}] `;
      const cli = async (args: readonly string[], what: string, ms: number) => {
        const run = await runCli(args, {
          env,
          timeoutMs: ms,
          log,
          prefix: prefix(what),
          ...(o.signal ? { signal: o.signal } : {}),
        });
        if (aborted()) throw new Error('cancelled (Ctrl-C)');
        return run;
      };
      // Builds first, outside every clock: the rows then find them cached.
      log(`whole-validation ${target.name}: building every tree (${variants.join(', ')}), not timed`);
      for (const { flags, rows: forRows, evidence } of target.builds) {
        if (!forRows.some((row) => only.has(row) && (row !== 'd' || target.demo))) continue;
        // The demo builds plain and ASan whatever the bench's mode (the subject's trees get both), and
        // a regression's evidence pass reruns its finding on ASan: that tree gets both too.
        const both = target.demo || evidence === true;
        const build = await cli(
          ['build', ...flags, '--variants', both ? 'plain,asan' : variants.join(',')],
          'build',
          30 * 60_000,
        );
        if (build.code !== 0)
          throw new Error(`sigstorm build ${flags.join(' ')} failed (exit ${build.code}): see the log above`);
      }
      const warmBase = async (): Promise<string> => {
        const warm = await cli(
          ['validate', '--warm-base', ...target.base, ...shape],
          'warm-base',
          30 * 60_000,
        );
        if (warm.code !== 0) throw new Error(`validate --warm-base failed (exit ${warm.code})`);
        return warm.stdout.trim();
      };
      const plan: { row: RowId; args: readonly string[]; before: () => Promise<string | null> }[] = [
        {
          row: 'c',
          args: ['validate', ...target.harmless, ...shape],
          before: async () => {
            await rm(join(cacheDir, 'base-results'), { recursive: true, force: true });
            return `base results removed (${join(cacheDir, 'base-results')}); builds kept`;
          },
        },
        { row: 'b', args: ['validate', ...target.harmless, ...shape], before: warmBase },
        { row: 'a', args: ['validate', ...target.regression, ...shape], before: warmBase },
        {
          row: 'd',
          args: ['demo', ...(quick ? ['--budget', '60s'] : [])],
          before: async () => null,
        },
      ];
      for (const step of plan) {
        if (aborted()) break;
        if (!only.has(step.row) || (step.row === 'd' && !target.demo)) continue;
        const what = goals[step.row].what;
        log(`whole-validation ${target.name} (${step.row}) ${what}`);
        const before = await step.before();
        if (before) log(`${prefix(step.row)}before the clock: ${before}`);
        const outDir = await mkdtemp(join(tmpdir(), 'sigstorm-whole-bench-'));
        try {
          const start = conditionsNow();
          const run = await cli([...step.args, '--out', outDir], step.row, timeoutMs(step.row));
          const end = conditionsNow();
          const report = await readFile(join(outDir, 'report.json'), 'utf8')
            .then((text) => Report.parse(JSON.parse(text)))
            .catch(() => null);
          const error = run.timedOut
            ? `timed out after ${(timeoutMs(step.row) / 60_000).toFixed(0)} min`
            : run.code !== 0
              ? `exit ${run.code}: ${run.lines.at(-1)?.line ?? ''}`
              : report
                ? null
                : 'no report.json';
          const phases: Record<string, number> = {};
          for (const { at, line } of run.lines) {
            const phase = /^\[(\w[\w-]*)\]/.exec(line)?.[1];
            if (phase && phases[phase] === undefined) phases[phase] = at;
          }
          const rowsOfThroughput = report?.throughput.rows ?? [];
          const partial: Omit<WholeRow, 'goal'> = {
            target: target.name,
            row: step.row,
            what,
            command: ['sigstorm', ...step.args].map(quote).join(' '),
            start,
            end,
            seconds: run.seconds,
            exitCode: run.code,
            timedOut: run.timedOut,
            error,
            verdict: report ? report.verdict : null,
            headline: report?.headline ?? null,
            iterations: report ? report.stability.totals.iterations : null,
            ...(await iterationsRun(outDir, run.startedAtMs)),
            throughput: {
              runs: Math.max(0, ...rowsOfThroughput.map((t) => t.base.runs.length + t.base.failedRuns)),
              labels: rowsOfThroughput.map((t) => `${t.workload} ${t.variant}: ${t.label}`),
            },
            buildsCached: report
              ? [...report.base.variants, ...report.head.variants].every((v) => v.cached === true)
              : null,
            phases,
            eta: etaOf(run),
            before,
          };
          const row: WholeRow = { ...partial, goal: judge(step.row, partial) };
          rows.push(row);
          log(`${prefix(step.row)}${formatRowLine(row)}`);
        } finally {
          await rm(outDir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    for (const target of targets) await target.cleanup();
  }
  return { quick, cacheDir, rows, skipped };
}

const secs = (s: number | null) => (s === null ? '–' : `${s.toFixed(2)} s`);
const minSec = (seconds: number) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

function formatRowLine(r: WholeRow): string {
  const verdict = r.verdict ? `${r.verdict.stability} / throughput ${r.verdict.throughput}` : 'no verdict';
  const its = r.iterations ? `${r.iterations.base} + ${r.iterations.head}` : '–';
  return `${minSec(r.seconds)} (${r.seconds.toFixed(0)} s): ${verdict}; iterations base + head ${its} (run here ${r.ran.base} + ${r.ran.head}); s/iteration base ${secs(r.meanIterationSeconds.base)}, head ${secs(r.meanIterationSeconds.head)}`;
}

export function formatWholeValidation(result: WholeValidationResult): string {
  const out: string[] = [];
  const q = result.quick
    ? 'QUICK (set:quick, plain only, budget 90 s, demo 60 s): not the goals’ conditions; '
    : '';
  out.push(
    `whole validations through the CLI (node bin/sigstorm.js, a child process; wall time from its start to its exit); ${q}builds cached first in ${result.cacheDir}, not timed`,
  );
  for (const s of result.skipped) out.push(`  not run: ${s}`);
  let target = '';
  for (const r of result.rows) {
    if (r.target !== target) {
      target = r.target;
      out.push('', `  ${target}`);
    }
    out.push(
      `  (${r.row}) ${r.what}${result.quick ? ' [QUICK]' : ''}: ${r.goal.pass ? 'PASS' : 'MISS'} (goal ${r.goal.why})`,
    );
    out.push(`      ${formatRowLine(r)}`);
    out.push(`      headline: ${r.headline ?? r.error ?? '–'}`);
    if (r.throughput.labels.length > 0)
      out.push(`      throughput: ${r.throughput.runs} runs per side; ${r.throughput.labels.join('; ')}`);
    const phases = Object.entries(r.phases)
      .map(([p, at]) => `${p} ${at.toFixed(0)} s`)
      .join(', ');
    out.push(
      `      builds ${r.buildsCached === null ? 'unknown' : r.buildsCached ? 'all cached' : 'NOT all cached'}; first line of each phase at: ${phases || '–'}`,
    );
    if (r.eta)
      out.push(
        `      first expected finish, printed at ${r.eta.atSeconds.toFixed(0)} s: ${r.eta.predictedSeconds} s left; actual ${r.eta.actualSeconds.toFixed(0)} s: error ${r.eta.errorPercent >= 0 ? '+' : ''}${r.eta.errorPercent.toFixed(0)}% ("${r.eta.line.slice(0, 160)}")`,
      );
    else out.push('      no expected finish printed');
    if (r.before) out.push(`      before the clock: ${r.before.replace(/\n/g, ' ')}`);
    out.push(
      `      command: ${r.command}; load average (1/5/15 min) ${formatLoad(r.start)} at start, ${formatLoad(r.end)} at end`,
    );
  }
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const usage =
    'usage: npx tsx bench/whole-validation.ts [--quick] [--only a,b,c,d] [--iperf PATH [--ref 3.18]] [--subject-only | --iperf-only] [--cache-dir DIR] [--json FILE]\n';
  const values = benchArgs(
    {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      iperf: { type: 'string' },
      ref: { type: 'string' },
      'subject-only': { type: 'boolean', default: false },
      'iperf-only': { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
      json: { type: 'string' },
    },
    usage,
  );
  const only = values.only?.split(',').map((s) => s.trim());
  const wrong = only?.filter((id) => !(rowIds as readonly string[]).includes(id)) ?? [];
  if (
    wrong.length > 0 ||
    (values['iperf-only'] && !values.iperf) ||
    (values['subject-only'] && values['iperf-only'])
  ) {
    process.stderr.write(`${wrong.length > 0 ? `unknown row: ${wrong.join(', ')}\n` : ''}${usage}`);
    process.exit(2);
  }
  const controller = new AbortController();
  // `on`, not `once`: npx and tsx pass a terminal's Ctrl-C on as a second SIGINT, which must not end
  // the bench before the running command has stopped its storms.
  process.on('SIGINT', () => {
    if (controller.signal.aborted) return;
    process.stderr.write('whole-validation: interrupted, stopping the running command\n');
    controller.abort();
  });
  const started = conditionsNow();
  console.log(
    `whole-validation (${values.quick ? 'QUICK: shortened, figures are rough' : 'full'}) on ${formatMachine(describeMachine())}; load average ${formatLoad(started)} at start; ${started.at}`,
  );
  const iperf = values['subject-only'] ? undefined : values.iperf;
  const result = await wholeValidationBench({
    quick: values.quick,
    ...(only ? { only: only as RowId[] } : {}),
    subject: !values['iperf-only'],
    ...(iperf ? { iperf } : {}),
    ...(values.ref ? { ref: values.ref } : {}),
    ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
    signal: controller.signal,
  }).catch((error: unknown) => {
    process.stderr.write(`whole-validation: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(controller.signal.aborted ? 130 : 1);
  });
  console.log(formatWholeValidation(result));
  console.log(`load average ${formatLoad(conditionsNow())} at end`);
  if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
  if (controller.signal.aborted) process.exitCode = 130;
}
