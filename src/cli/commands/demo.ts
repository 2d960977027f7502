import { join } from 'node:path';
import type { Command } from 'commander';
import { bundledPatchesDir } from '../../util/paths.js';
import { commandHelp } from '../help-text.js';
import { validateAction } from './validate.js';
import { parseValidateFlags } from './validate-flags.js';
import { checkValidatePaths } from './validate-setup.js';

/** The patch the demo validates: the iperf3 3.16/3.17 worker-thread signal crash, reintroduced. */
export const demoPatch = join(bundledPatchesDir, 'unblocked-worker-signals.patch');

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Validate patches/unblocked-worker-signals.patch against the bundled subject and print the report',
    )
    .option('--budget <time>', 'time budget of storms and throughput', '5m')
    .option('--out <dir>', 'directory for the report files (default: under the cache)')
    .option('--quiet', 'no progress display')
    .addHelpText(
      'after',
      commandHelp({
        examples: ['sigstorm demo', 'sigstorm demo --budget 2m --out demo-report'],
        doc: 'validate.md',
      }),
    )
    .action(async (raw: { budget: string; out?: string; quiet?: boolean }) => {
      const flags = parseValidateFlags({
        headPatches: demoPatch,
        budget: raw.budget,
        ...(raw.out ? { out: raw.out } : {}),
        quiet: raw.quiet ?? false,
      });
      // A path that cannot be written is refused before the introduction, not after it.
      await checkValidatePaths(flags);
      process.stderr.write(
        'sigstorm demo: the bundled iperf3-compatible subject (base) against the same subject with\n' +
          `${demoPatch} (head):\nworker threads no longer block SIGTERM/SIGINT/SIGHUP, the crash of iperf3 3.16 and 3.17.\n` +
          'Builds plain and ASan+UBSan variants, storms the default workloads on both interleaved, measures throughput.\n\n',
      );
      process.exitCode = await validateAction(flags, (_report, markdown) => `\n${markdown}\n`);
    });
}
