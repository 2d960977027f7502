import type { Command } from 'commander';
import { variantNames } from '../../compile/variants.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';
import { parseFlags } from '../parse-flags.js';
import { noSandboxOption } from '../sandbox-mode.js';
import { defaultIterations, StormFlags } from './storm-flags.js';

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
      const flags = parseFlags(StormFlags, raw, 'storm');
      // Loaded once the flags passed: a parser error ends without loading the storm and the builder.
      process.exitCode = await (await import('./storm-run.js')).stormAction(flags);
    });
}
