import { join } from 'node:path';
import { installRoot } from '../util/paths.js';
import { exitCodes } from './exit-codes.js';

const docs = (name: string): string => join(installRoot, 'docs', name);

/** The end of every command's --help: real examples, then where the long form is. */
export function commandHelp(options: { examples: readonly string[]; doc: string; exit?: string }): string {
  return [
    '',
    'Examples:',
    ...options.examples.map((example) => `  $ ${example}`),
    '',
    options.exit ?? exitStatusLine,
    `Docs: ${docs(options.doc)}`,
  ].join('\n');
}

export const exitStatusLine = `Exit status: ${exitCodes.ok} done, ${exitCodes.couldNotRun} could not run, ${exitCodes.badInput} bad input, ${exitCodes.interrupted} interrupted (README.md, "Exit status").`;

export const topLevelHelp = [
  '',
  'Examples:',
  '  $ sigstorm demo',
  '  $ sigstorm validate --head-patches patches/unblocked-worker-signals.patch --fail-on-regression',
  '  $ sigstorm bisect --head-patches s/0001.patch,s/0002.patch,s/0003.patch --workloads client-stream-sigterm',
  '  $ sigstorm storm --binary /usr/bin/iperf3 --workload server-sigterm --iterations 50',
  '  $ sigstorm repro --repo https://github.com/you/iperf.git --ref <commit> --variant asan --workload client-burst --seed 1234 --iteration 17',
  '',
  'Run `sigstorm <command> --help` for a command’s options and examples.',
  `Builds, trees and results are cached in $SIGSTORM_CACHE_DIR (default: ~/.cache/sigstorm).`,
  `Exit status: ${exitCodes.ok} done, ${exitCodes.couldNotRun} could not run, ${exitCodes.badInput} bad input, ${exitCodes.regression} regression (with --fail-on-regression), ${exitCodes.interrupted} interrupted.`,
  `Docs: ${join(installRoot, 'README.md')} and ${join(installRoot, 'docs')}/`,
].join('\n');
