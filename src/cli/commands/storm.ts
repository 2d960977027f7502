import { access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { judgedOf } from '../../classify/outcome.js';
import { buildVariant, materialise, type Tree } from '../../compile/build-tree.js';
import { planBuild } from '../../compile/prepare-tree.js';
import { type VariantName, variantNames } from '../../compile/variants.js';
import { createLanePool } from '../../storm/lanes.js';
import { freshSeed } from '../../storm/prng.js';
import { newStormId, runStorm } from '../../storm/run-storm.js';
import { UsageError } from '../../util/errors.js';
import { cacheRoot } from '../../util/paths.js';
import { resolveStormWorkload } from '../../workload/load.js';
import { checkOutputFile } from '../check-paths.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';
import { onInterrupt } from '../interrupt.js';
import { intFlag, listFlag, parseFlags, refuseTogether, repoFlag } from '../parse-flags.js';
import { cliSandbox, noSandboxOption } from '../sandbox-mode.js';
import { createStormProgress, type ProgressMode } from '../storm-progress.js';
import { formatStormSummary } from '../storm-summary-text.js';

/** The command's flags as commander hands them over; validated (contradictions included) before anything runs. */
const StormFlags = z
  .object({
    repo: repoFlag.optional(),
    ref: z.string().min(1, '--ref needs a branch, tag or commit').optional(),
    patches: listFlag('--patches').optional(),
    binary: z.string().min(1, '--binary needs a path').optional(),
    workload: z.string({ error: '--workload is required' }).min(1, '--workload needs a name or file'),
    variant: z
      .enum(variantNames, { error: `--variant must be one of ${variantNames.join(', ')}` })
      .default('plain'),
    iterations: intFlag('--iterations', 1).optional(),
    onlyIteration: intFlag('--only-iteration', 0).optional(),
    lanes: intFlag('--lanes', 1).optional(),
    cpus: z.string().min(1, '--cpus needs a CPU list like 0-3').optional(),
    seed: intFlag('--seed', 0).optional(),
    basePort: intFlag('--base-port', 1024).optional(),
    out: z.string().min(1, '--out needs a file').optional(),
    sandbox: z.boolean().default(true),
    json: z.boolean().default(false),
    quiet: z.boolean().default(false),
    failOnFindings: z.boolean().default(false),
  })
  .superRefine((flags, context) =>
    refuseTogether(
      flags,
      [
        ['onlyIteration', 'iterations', '--only-iteration runs exactly one iteration (give it with --seed)'],
        ['binary', 'repo', '--binary storms a built program; --repo/--ref/--patches say what to build'],
        ['binary', 'ref', '--binary storms a built program; --repo/--ref/--patches say what to build'],
        ['binary', 'patches', '--binary storms a built program; --repo/--ref/--patches say what to build'],
      ],
      context,
    ),
  );
type StormFlags = z.infer<typeof StormFlags>;

const defaultIterations = 100;

export function registerStorm(program: Command): void {
  program
    .command('storm')
    .description(
      'Run a signal storm: N iterations of a workload against one binary, every outcome classified',
    )
    .requiredOption('--workload <name|file>', 'workload name (workloads/) or path of a workload .yaml')
    .option('--repo <repo>', 'git repository (path or URL) to build; default: the bundled test subject')
    .option('--ref <ref>', 'branch, tag or commit of --repo')
    .option('--patches <files>', 'patch files applied in order before building, comma-separated')
    .option('--binary <path>', 'storm this already-built executable instead of building')
    .option('--variant <name>', `build variant: ${variantNames.join(', ')} (default: plain)`)
    .option('--iterations <n>', `number of iterations (default: ${defaultIterations})`)
    .option('--only-iteration <i>', 'run just iteration i (with --seed: exactly what a repro line names)')
    .option('--lanes <k>', 'parallel lanes, each with its own cores (default: one per two CPUs)')
    .option('--cpus <list>', 'CPUs to use, taskset style (default: all this process may use)')
    .option('--seed <s>', 'seed for every random choice (default: a fresh one, printed)')
    .option('--base-port <port>', 'first TCP port of the lanes (default: a free block is found)')
    .option('--out <file>', 'JSONL results file (default: under the cache directory)')
    .option('--json', 'print the summary as JSON on stdout (progress stays on stderr)')
    .option('--quiet', 'no progress display')
    .addOption(noSandboxOption())
    .option('--fail-on-findings', `exit ${exitCodes.regression} when the judged side failed at least once`)
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm storm --binary /usr/bin/iperf3 --workload server-sigterm --iterations 50',
          'sigstorm storm --workload server-burst --variant asan --patches patches/unblocked-worker-signals.patch',
          'sigstorm storm --binary /usr/bin/iperf3 --workload server-double-sigterm --seed 77 --only-iteration 2',
        ],
        doc: 'storms.md',
        exit: `Exit status: ${exitCodes.ok} the storm ran (whatever it found), ${exitCodes.regression} findings with --fail-on-findings, ${exitCodes.interrupted} stopped by Ctrl-C
(finished iterations are kept), ${exitCodes.badInput} bad input, ${exitCodes.couldNotRun} the storm could not run.`,
      }),
    )
    .action(async (raw: unknown) => {
      process.exitCode = await stormAction(parseFlags(StormFlags, raw, 'storm'));
    });
}

async function stormAction(flags: StormFlags): Promise<number> {
  // Every input is checked before anything is built or stormed: paths, workload, program or tree, CPUs.
  if (flags.out) await checkOutputFile(flags.out, '--out', true);
  const { workload, file } = await resolveStormWorkload(flags.workload);
  // Repro lines name a bundled workload by name, anything else by its absolute path.
  const workloadRef = flags.workload.includes('/') || flags.workload.endsWith('.yaml') ? file : workload.name;
  const variant: VariantName = flags.variant;
  const interrupt = onInterrupt();
  try {
    const sandbox = await cliSandbox(flags.sandbox, (line) =>
      process.stderr.write(`sigstorm storm: ${line}\n`),
    );
    const program = flags.binary
      ? ({ kind: 'built', binary: await checkedBinary(flags.binary) } as const)
      : ({ kind: 'tree', tree: await checkedTree(flags, interrupt.signal) } as const);
    const pool = await createLanePool({
      ...(flags.lanes === undefined ? (flags.cpus ? { lanes: 1 } : {}) : { lanes: flags.lanes }),
      ...(flags.cpus ? { cpus: flags.cpus } : {}),
      ...(flags.basePort === undefined ? {} : { basePort: flags.basePort }),
    });
    const binary =
      program.kind === 'built'
        ? program.binary
        : (
            await buildVariant(program.tree, variant, {
              signal: interrupt.signal,
              sandbox,
              onProgress: (event) => {
                if (!flags.quiet) process.stderr.write(`sigstorm build: ${event.message}\n`);
              },
            })
          ).binary;
    const seed = flags.seed ?? freshSeed();
    const iterations =
      flags.onlyIteration === undefined
        ? Array.from({ length: flags.iterations ?? defaultIterations }, (_, i) => i)
        : [flags.onlyIteration];
    const stormId = newStormId(workload.name, variant);
    const resultsFile = resolve(flags.out ?? join(cacheRoot(), 'storms', `${stormId}.jsonl`));
    const mode: ProgressMode = flags.quiet ? 'quiet' : process.stderr.isTTY ? 'tty' : 'lines';
    if (mode !== 'quiet') {
      const lanes = pool.lanes.map((l) => `${l.index}:cpus ${l.cpuList}`).join(', ');
      process.stderr.write(
        `sigstorm storm: ${workload.name} × ${iterations.length} on ${binary} (${variant}), seed ${seed}, lanes ${lanes}\n`,
      );
    }
    const progress = createStormProgress({
      mode,
      label: `${workload.name} ${variant}`,
      total: iterations.length,
    });
    const summary = await runStorm({
      pool,
      binary,
      variant,
      workload,
      workloadRef,
      seed,
      iterations,
      resultsFile,
      stormId,
      signal: interrupt.signal,
      sandbox,
      onRecord: (record) => progress.record(record),
    });
    progress.finish();
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatStormSummary(summary));
    if (summary.interrupted) return exitCodes.interrupted;
    const { failures } = judgedOf(summary.outcomes);
    return flags.failOnFindings && failures > 0 ? exitCodes.regression : exitCodes.ok;
  } finally {
    interrupt.dispose();
  }
}

async function checkedBinary(path: string): Promise<string> {
  const binary = resolve(path);
  try {
    await access(binary, constants.X_OK);
  } catch (error) {
    throw new UsageError(`${binary} is not an executable file`, {
      cause: error,
      hint: 'Give the path of an iperf3 binary, e.g. --binary /usr/bin/iperf3.',
    });
  }
  return binary;
}

/** The tree to build, exported and patched (a patch that does not apply fails here, in seconds). */
async function checkedTree(flags: StormFlags, signal: AbortSignal): Promise<Tree> {
  const tree = await materialise(
    { repo: flags.repo, ref: flags.ref, patches: flags.patches ?? [] },
    {
      signal,
      onProgress: (message) => {
        if (!flags.quiet) process.stderr.write(`sigstorm build: ${message}\n`);
      },
    },
  );
  await planBuild(tree);
  return tree;
}
