import type { Command } from 'commander';
import { variantNames } from '../../compile/variants.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';
import { parseFlags } from '../parse-flags.js';
import { noSandboxOption } from '../sandbox-mode.js';
import { ReproFlags } from './repro-flags.js';

export function registerRepro(program: Command): void {
  program
    .command('repro')
    .description(
      'Rerun one iteration of a report (the tree by URL and commit, built and cached), then N times: how often does it fail?',
    )
    .requiredOption('--workload <name|file>', 'workload name (workloads/) or path of a workload .yaml')
    .requiredOption('--seed <s>', "the storm's seed (from the report's repro line)")
    .requiredOption('--iteration <i>', 'the iteration to rerun')
    .option('--repo <repo>', 'git repository (URL or path); default: the bundled test subject')
    .option('--ref <ref>', 'commit (or branch, tag) of --repo')
    .option(
      '--patches <files>',
      'patch files applied in order before building, comma-separated (patches/NAME: also the ones that ship with sigstorm)',
    )
    .option('--variant <name>', `build variant: ${variantNames.join(', ')} (default: plain)`)
    .option('--times <n>', 'reruns after the first, to say how often it reproduces (default: 10)')
    .option('--cpu-count <n>', 'CPUs the iteration ran on (default: as many as this process may use)')
    .option('--json', 'print the result as JSON on stdout (progress stays on stderr)')
    .option('--quiet', 'no progress display')
    .addOption(noSandboxOption())
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm repro --repo https://github.com/you/iperf.git --ref 3f9c2e1a --variant asan --workload client-burst --seed 1234 --iteration 17 --cpu-count 2',
          'sigstorm repro --patches patches/unblocked-worker-signals.patch --workload server-burst --seed 7 --iteration 3 --times 20',
        ],
        doc: 'storms.md',
        exit: `Exit status: ${exitCodes.ok} the iteration was rerun (whatever it did), ${exitCodes.badInput} bad input, ${exitCodes.couldNotRun} the tree could not be built or stormed, ${exitCodes.interrupted} interrupted.`,
      }),
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(ReproFlags, raw, 'repro');
      // Loaded once the flags passed: a parser error ends without loading the storm and the builder.
      process.exitCode = await (await import('./repro-run.js')).reproAction(flags);
    });
}
