import type { Command } from 'commander';
import { defaultBinary } from '../../compile/find-binary.js';
import { variantNames } from '../../compile/variants.js';
import { commandHelp } from '../help-text.js';
import { parseFlags } from '../parse-flags.js';
import { noSandboxOption } from '../sandbox-mode.js';
import { BuildFlags } from './build-flags.js';

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description(
      'Build a tree in the plain, asan and tsan variants (cached: the same tree is never built twice)',
    )
    .option('--repo <repo>', 'git repository (path or URL) or directory; default: the bundled test subject')
    .option(
      '--ref <ref>',
      'branch, tag or commit; default: HEAD (the bundled subject: its files as they are)',
    )
    .option('--patches <files>', 'patch files applied in order, comma-separated')
    .option('--variants <names>', `comma-separated, of ${variantNames.join(', ')} (default: all)`)
    .option('--binary <path>', `the program to build, relative to the tree (default: ${defaultBinary})`)
    .option('--json', 'print a JSON document on stdout (progress stays on stderr)')
    .addOption(noSandboxOption())
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm build --variants plain,asan',
          'sigstorm build --repo ../iperf --ref 3.18 --patches fix.patch --json',
          'sigstorm build --repo https://example.org/iperf.git --ref master --variants tsan',
        ],
        doc: 'build.md',
      }),
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(BuildFlags, raw, 'build');
      // Loaded once the flags passed: a parser error ends without loading the builder.
      await (await import('./build-run.js')).buildAction(flags);
    });
}
