import { access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { build } from '../../build/build-tree.js';
import { type VariantName, variantNames } from '../../build/variants.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import { createLanePool } from '../../storm/lanes.js';
import { freshSeed } from '../../storm/prng.js';
import { newStormId, runStorm } from '../../storm/run-storm.js';
import { UsageError } from '../../util/errors.js';
import { cacheRoot } from '../../util/paths.js';
import { resolveStormWorkload } from '../../workload/load.js';
import { parseFlags } from '../parse-flags.js';
import { cliSandbox } from '../sandbox-mode.js';
import { createStormProgress, type ProgressMode } from '../storm-progress.js';
import { formatStormSummary } from '../storm-summary-text.js';

const int = (what: string, min: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`);

/** The command's flags as commander hands them over; validated before anything runs. */
const StormFlags = z.object({
  repo: z.string().min(1).optional(),
  ref: z.string().min(1).optional(),
  patches: z.string().optional(),
  binary: z.string().min(1).optional(),
  workload: z.string({ error: '--workload is required' }).min(1),
  variant: z
    .enum(variantNames, { error: `--variant must be one of ${variantNames.join(', ')}` })
    .default('plain'),
  iterations: int('--iterations', 1).default(100),
  onlyIteration: int('--only-iteration', 0).optional(),
  lanes: int('--lanes', 1).optional(),
  cpus: z.string().min(1).optional(),
  seed: int('--seed', 0).optional(),
  basePort: int('--base-port', 1024).optional(),
  out: z.string().min(1).optional(),
  sandbox: z.boolean().default(true),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
  failOnFindings: z.boolean().default(false),
});

/** Exit status when --fail-on-findings is given and the judged side failed at least once. */
export const exitFindings = 3;
/** Exit status of a storm stopped by SIGINT/SIGTERM (after writing what it finished). */
export const exitInterrupted = 130;

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
    .option('--variant <name>', `build variant: ${variantNames.join(', ')}`, 'plain')
    .option('--iterations <n>', 'number of iterations', '100')
    .option('--only-iteration <i>', 'run just iteration i (with --seed: exactly what a repro line names)')
    .option('--lanes <k>', 'parallel lanes, each with its own cores (default: one per two CPUs)')
    .option('--cpus <list>', 'CPUs to use, taskset style (default: all this process may use)')
    .option('--seed <s>', 'seed for every random choice (default: a fresh one, printed)')
    .option('--base-port <port>', 'first TCP port of the lanes (default: a free block is found)')
    .option('--out <file>', 'JSONL results file (default: under the cache directory)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--quiet', 'no progress display')
    .option(
      '--no-sandbox',
      'run the code under test without the bubblewrap sandbox (your own code, machines without user namespaces)',
    )
    .option('--fail-on-findings', `exit ${exitFindings} when the judged side failed at least once`)
    .addHelpText(
      'after',
      `\nExit status: 0 the storm ran (whatever it found; use --fail-on-findings to gate), ${exitFindings} findings with --fail-on-findings,\n${exitInterrupted} stopped by Ctrl-C (finished iterations are kept), 2 bad input, 1 the storm could not run.`,
    )
    .action(async (raw: unknown) => {
      process.exitCode = await stormAction(parseFlags(StormFlags, raw, 'storm'));
    });
}

async function stormAction(flags: z.infer<typeof StormFlags>): Promise<number> {
  const { workload, file } = await resolveStormWorkload(flags.workload);
  // Repro lines name a bundled workload by name, anything else by its absolute path.
  const workloadRef = flags.workload.includes('/') || flags.workload.endsWith('.yaml') ? file : workload.name;
  const variant: VariantName = flags.variant;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const sandbox = await cliSandbox(flags.sandbox, (line) => process.stderr.write(`${line}\n`));
    const binary = await binaryFor(flags, variant, controller.signal, sandbox);
    const pool = await createLanePool({
      ...(flags.lanes === undefined ? (flags.cpus ? { lanes: 1 } : {}) : { lanes: flags.lanes }),
      ...(flags.cpus ? { cpus: flags.cpus } : {}),
      ...(flags.basePort === undefined ? {} : { basePort: flags.basePort }),
    });
    const seed = flags.seed ?? freshSeed();
    const iterations =
      flags.onlyIteration === undefined
        ? Array.from({ length: flags.iterations }, (_, i) => i)
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
      signal: controller.signal,
      sandbox,
      onRecord: (record) => progress.record(record),
    });
    progress.finish();
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatStormSummary(summary));
    if (summary.interrupted) return exitInterrupted;
    const failed =
      summary.outcomes.crash +
      summary.outcomes.sanitizer +
      summary.outcomes.hang +
      summary.outcomes['bad-exit'];
    return flags.failOnFindings && failed > 0 ? exitFindings : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The executable to storm: --binary as given, or the variant built from --repo/--ref/--patches. */
async function binaryFor(
  flags: z.infer<typeof StormFlags>,
  variant: VariantName,
  signal: AbortSignal,
  sandbox: SandboxMode,
): Promise<string> {
  if (flags.binary) {
    if (flags.repo || flags.ref || flags.patches) {
      throw new UsageError('--binary cannot be combined with --repo, --ref or --patches', {
        hint: 'Either storm a built executable (--binary) or let sigstorm build one (--repo/--ref/--patches).',
      });
    }
    const binary = resolve(flags.binary);
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
  const patches = (flags.patches ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const quiet = flags.quiet;
  const { variants } = await build({ repo: flags.repo, ref: flags.ref, patches }, [variant], {
    signal,
    sandbox,
    onProgress: (event) => {
      if (!quiet) process.stderr.write(`sigstorm build: ${event.message}\n`);
    },
  });
  return variants[variant].binary;
}
