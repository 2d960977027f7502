import { type Command, Option } from 'commander';
import { variantNames } from '../../compile/variants.js';
import { configPath } from '../../config/repo-config.schema.js';
import type { Report } from '../../report/report.schema.js';
import { renderTerminal } from '../../report/terminal.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';
import { refuseBothSpellings } from '../parse-flags.js';
import { noSandboxOption } from '../sandbox-mode.js';
import { parseValidateFlags, type ValidateFlags } from './validate-flags.js';
import { checkValidatePaths, validateRequestFor, withValidateRun } from './validate-setup.js';

export function registerValidate(program: Command): void {
  const command = program
    .command('validate')
    .description('Build base and head, storm both interleaved, measure throughput, and report the comparison')
    .option('--repo <repo>', 'git repository (path or URL); default: the bundled test subject')
    .option('--base <ref>', 'base ref (default: HEAD, or the working copy of the bundled subject)')
    .option('--base-patches <files>', 'patches applied to base, comma-separated')
    .option('--head <ref>', 'head ref (default: same as base)')
    .option('--head-patches <files>', 'patches applied to head, comma-separated (validates a patch series)')
    .option(
      '--workloads <names>',
      'workload names, files or set:<name>, comma-separated (default: set:default)',
    )
    .option('--variants <names>', `build variants, comma-separated (${variantNames.join(', ')})`)
    .option('--iterations <n>', 'iteration cap per cell and side (default: the thresholds per variant)')
    .option(
      '--budget <time>',
      'time budget of storms and throughput together, builds aside, e.g. 90s, 5m (default: the profile’s)',
    )
    .option(
      '--fail-fast',
      'stop all storms once the verdict is a settled regression (a cell, or the signal-mask finding)',
    )
    .option('--no-fail-fast', 'run every cell to its own stop, even after a regression')
    .option('--profile <name>', 'pr (fast) or release (every variant, more iterations) (default: pr)')
    .option('--seed <s>', 'seed of every random choice (default: derived from the base tree)')
    .option('--lanes <k>', 'parallel storm lanes (default: one per two CPUs)')
    .option('--cpus <list>', 'CPUs to use, taskset style')
    .option(
      '--throughput-runs <n>',
      'throughput runs per side at most: the budget, stopped early once the interval clears the thresholds (0 skips throughput)',
    )
    .option(
      '--config <file>',
      `a sigstorm.yml (default: the repository's ${configPath}, when --repo is a local path)`,
    )
    .option('--no-config', 'use no sigstorm.yml, only the flags and the profile')
    .option('--out <dir>', 'directory for report.json, report.md and iterations/ (default: under the cache)')
    .option(
      '--json [file]',
      'print the JSON report on stdout instead of the text report (progress stays on stderr)',
    )
    .option('--json-file <file>', 'also write the JSON report here')
    .option('--markdown-file <file>', 'also write the Markdown report here')
    .addOption(new Option('--markdown <file>', 'deprecated: --markdown-file').hideHelp())
    .option(
      '--sarif <file>',
      'also write SARIF 2.1.0 for code scanning: each failing crash, sanitizer or hang finding at its top frame in the tree',
    )
    .option(
      '--repro-dir <dir>',
      'when something failed, write a repro bundle here: commands, iteration records, evidence, patches',
    )
    .option('--no-base-cache', 'do not reuse base results of earlier validations')
    .option(
      '--warm-base',
      'storm only base, up to the share every pull request against it needs, into the base-results cache (no report)',
    )
    .option('--quiet', 'no progress display')
    .addOption(noSandboxOption())
    .option(
      '--shard <K/N>',
      'run only shard K of N of the validation and write its blob (then: sigstorm merge)',
    )
    .option('--blob <file>', 'with --shard: where to write the blob (default: <out>/shard-K-of-N.json)')
    .option(
      '--fail-on-regression',
      `exit ${exitCodes.regression} when the verdict is a failure under the config's policy (by default: a regression)`,
    )
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm validate --head-patches patches/unblocked-worker-signals.patch --fail-on-regression',
          'sigstorm validate --repo ../iperf --base 3.18 --head my-fix --variants plain,asan',
          'sigstorm validate --config .github/sigstorm.yml --json > report.json',
          'sigstorm validate --head-patches patches/unblocked-worker-signals.patch --shard 1/2 --blob s1.json',
          'sigstorm validate --warm-base && sigstorm validate --head-patches patches/help-text.patch',
        ],
        doc: 'validate.md',
        exit: `Exit status: ${exitCodes.ok} the validation ran (whatever it found), ${exitCodes.regression} a regression with --fail-on-regression,
${exitCodes.badInput} bad input (found before anything is built), ${exitCodes.couldNotRun} the validation could not run (a build failed, a storm could not start), ${exitCodes.interrupted} interrupted.`,
      }),
    )
    .action(async (raw: unknown) => {
      process.exitCode = await validateAction(parseValidateFlags(raw));
    });
  refuseBothSpellings(command, ['fail-fast', 'config']);
}

/** Runs a validation with progress on stderr and the report on stdout; returns the exit status. */
export async function validateAction(
  flags: ValidateFlags,
  show: (report: Report, markdown: string) => string = (report) => renderTerminal(report),
): Promise<number> {
  for (const note of flags.deprecated) process.stderr.write(`sigstorm validate: ${note}\n`);
  await checkValidatePaths(flags);
  // The pipeline is loaded only once the flags and paths passed: bad input ends without loading it.
  if (flags.shard !== undefined) return (await import('./validate-shard.js')).shardAction(flags);
  const { config, file, request } = await validateRequestFor(flags);
  if (file && !flags.quiet) process.stderr.write(`Config: ${file}\n`);
  return withValidateRun(flags, async ({ sandbox, options, finishProgress }) => {
    if (flags.warmBase) {
      const { warmBase } = await import('../../pipeline/warm-base.js');
      const warm = await warmBase({ ...request, sandbox }, options);
      finishProgress();
      process.stdout.write(
        `Base warm: ${warm.cells} cells × ${warm.share} iterations in the base-results cache (${warm.ran} run now, ${warm.alreadyCached} already there, ${warm.seconds.toFixed(0)} s)${warm.noisyCells.length > 0 ? `; persisting noise (base failed in a variant of the workload): ${warm.noisyCells.join(', ')} warmed to ${warm.deep}` : ''}\n`,
      );
      return exitCodes.ok;
    }
    const { runValidation } = await import('../../pipeline/validate.js');
    const result = await runValidation({ ...request, baseCache: flags.baseCache, sandbox }, options);
    finishProgress();
    const { showReport } = await import('../show-report.js');
    return await showReport(result, flags, config.policy, show);
  });
}
