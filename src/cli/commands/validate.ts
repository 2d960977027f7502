import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { variantNames } from '../../build/variants.js';
import { checkConfigWorkloads } from '../../config/config-workloads.js';
import { configPath, RepoConfig } from '../../config/repo-config.schema.js';
import { formatConfigProblem, parseRepoConfigText } from '../../config/repo-config-parse.js';
import type { ValidateProgress, ValidateRequest } from '../../pipeline/contract.js';
import { requestFromConfig } from '../../pipeline/request-from-config.js';
import { runValidation } from '../../pipeline/validate.js';
import { warmBase } from '../../pipeline/warm-base.js';
import type { Report } from '../../report/report.schema.js';
import { renderTerminal } from '../../report/terminal.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import { UsageError } from '../../util/errors.js';
import { checkOutputDir, checkOutputFile } from '../check-paths.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';
import { onInterrupt } from '../interrupt.js';
import {
  intFlag,
  listFlag,
  parseFlags,
  refuseBothSpellings,
  refuseTogether,
  repoFlag,
  requireWith,
  variantsFlag,
} from '../parse-flags.js';
import { cliSandbox, noSandboxOption } from '../sandbox-mode.js';
import { showReport } from '../show-report.js';
import type { ProgressMode } from '../storm-progress.js';
import { createValidateProgress } from '../validate-progress.js';
import { shardAction } from './validate-shard.js';

/** `90`, `90s`, `5m`, `1h` → seconds. */
const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?[smh]?$/, '--budget takes a duration like 90s, 5m or 1h')
  .transform((s) => {
    const n = Number.parseFloat(s);
    return s.endsWith('h') ? n * 3600 : s.endsWith('m') ? n * 60 : n;
  })
  .refine((seconds) => seconds > 0, { error: '--budget must be longer than 0' });

const ValidateFlags = z
  .object({
    repo: repoFlag.optional(),
    base: z.string().min(1, '--base needs a ref').optional(),
    basePatches: listFlag('--base-patches').optional(),
    head: z.string().min(1, '--head needs a ref').optional(),
    headPatches: listFlag('--head-patches').optional(),
    workloads: listFlag('--workloads').optional(),
    variants: variantsFlag('--variants').optional(),
    iterations: intFlag('--iterations', 1).optional(),
    budget: Duration.optional(),
    failFast: z.boolean().optional(),
    profile: z.enum(['pr', 'release'], { error: '--profile is pr or release' }).default('pr'),
    seed: intFlag('--seed', 0).optional(),
    lanes: intFlag('--lanes', 1).optional(),
    cpus: z.string().min(1, '--cpus needs a CPU list like 0-3').optional(),
    throughputRuns: intFlag('--throughput-runs', 0).optional(),
    config: z.union([z.string().min(1, '--config needs a file'), z.literal(false)]).optional(),
    out: z.string().min(1, '--out needs a directory').optional(),
    /** `true`: the JSON report on stdout; a string is the deprecated `--json <file>`. */
    json: z.union([z.boolean(), z.string().min(1)]).optional(),
    jsonFile: z.string().min(1, '--json-file needs a file').optional(),
    markdown: z.string().min(1, '--markdown needs a file').optional(),
    markdownFile: z.string().min(1, '--markdown-file needs a file').optional(),
    reproDir: z.string().min(1, '--repro-dir needs a directory').optional(),
    sarif: z.string().min(1, '--sarif needs a file').optional(),
    baseCache: z.boolean().default(true),
    warmBase: z.boolean().default(false),
    quiet: z.boolean().default(false),
    failOnRegression: z.boolean().default(false),
    sandbox: z.boolean().default(true),
    shard: z.string().min(1, '--shard needs K/N, e.g. 2/4').optional(),
    blob: z.string().min(1, '--blob needs a file').optional(),
  })
  .superRefine((flags, context) => {
    refuseTogether(
      { ...flags, jsonAsFile: typeof flags.json === 'string' ? flags.json : undefined },
      [
        ['jsonAsFile', 'jsonFile', 'it is the old spelling of --json-file; give one'],
        ['markdown', 'markdownFile', 'it is the old spelling of --markdown-file; give one'],
        ['warmBase', 'headPatches', '--warm-base storms base only; drop --head-patches'],
        ['warmBase', 'head', '--warm-base storms base only; drop --head'],
      ],
      context,
      { jsonAsFile: '--json <file>', markdown: '--markdown <file>' },
    );
    requireWith(flags, [['blob', 'shard', 'only a shard writes a blob']], context);
  })
  .transform(({ json, jsonFile, markdown, markdownFile, ...flags }) => ({
    ...flags,
    json: json === true,
    // The deprecated spellings `--json <file>` and `--markdown <file>` keep working, with a note.
    ...(typeof json === 'string' || jsonFile ? { jsonFile: typeof json === 'string' ? json : jsonFile } : {}),
    ...(markdown || markdownFile ? { markdownFile: markdown ?? markdownFile } : {}),
    deprecated: [
      ...(typeof json === 'string' ? [`--json ${json} is deprecated; write --json-file ${json}`] : []),
      ...(markdown ? [`--markdown ${markdown} is deprecated; write --markdown-file ${markdown}`] : []),
    ],
  }));
export type ValidateFlags = z.infer<typeof ValidateFlags>;

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
    .option('--budget <time>', 'storm time budget, e.g. 90s, 5m (default: the profile’s)')
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

export function parseValidateFlags(raw: unknown): ValidateFlags {
  return parseFlags(ValidateFlags, raw, 'validate');
}

/**
 * The config that applies: `--config FILE`; with `--no-config` none; by default the repository's
 * own `.github/sigstorm.yml` when `--repo` is a local path (or absent: the bundled subject has none)
 * and the file exists there.
 */
export async function configFor(
  flags: Pick<ValidateFlags, 'config' | 'repo'>,
): Promise<{ config: RepoConfig; file?: string }> {
  const file = flags.config === undefined ? await repoConfigFile(flags.repo) : flags.config || undefined;
  if (file === undefined) return { config: RepoConfig.parse({}) };
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new UsageError(`Cannot read ${file}`, {
      cause: error,
      hint: 'Give the path of a sigstorm.yml, or --no-config to use none.',
    });
  });
  const result = parseRepoConfigText(text, file);
  if (!result.ok) {
    throw new UsageError(`Invalid configuration ${file}`, {
      details: result.problems.map(formatConfigProblem).join('\n'),
      hint: 'Fix the file (every field is described in docs/github-app.md), or pass --no-config.',
    });
  }
  // Workloads the config names that do not exist are found now, at their line, not mid-run.
  const problems = await checkConfigWorkloads(text, file, result.config);
  if (problems.length > 0) {
    throw new UsageError(`Invalid configuration ${file}`, {
      details: problems.map(formatConfigProblem).join('\n'),
      hint: 'Fix the file (every field is described in docs/github-app.md), or pass --no-config.',
    });
  }
  return { config: result.config, file };
}

async function repoConfigFile(repo: string | undefined): Promise<string | undefined> {
  if (repo === undefined || isGitUrl(repo)) return undefined;
  const file = join(resolve(repo), configPath);
  return (await stat(file).catch(() => undefined))?.isFile() ? file : undefined;
}

function isGitUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
}

/** The request and the config (for its policy) the flags ask for. */
export async function validateRequestFor(
  flags: ValidateFlags,
): Promise<{ config: RepoConfig; file?: string; request: ValidateRequest }> {
  const { config, file } = await configFor(flags);
  return { config, ...(file ? { file } : {}), request: requestFrom(flags, config) };
}

function requestFrom(flags: ValidateFlags, config: RepoConfig): ValidateRequest {
  const tree = (ref: string | undefined, patches: string[] | undefined) => ({
    ...(flags.repo ? { repo: flags.repo } : {}),
    ...(ref ? { ref } : {}),
    patches: (patches ?? []).map((p) => resolve(p)),
  });
  return requestFromConfig({
    base: tree(flags.base, flags.basePatches),
    head: tree(flags.head ?? flags.base, flags.headPatches),
    config,
    profile: flags.profile,
    overrides: {
      workloads: flags.workloads,
      variants: flags.variants,
      iterations: flags.iterations,
      budgetSeconds: flags.budget,
      failFast: flags.failFast,
      throughputRuns: flags.throughputRuns,
      seed: flags.seed,
      lanes: flags.lanes,
      cpus: flags.cpus,
      outDir: flags.out,
    },
  });
}

/** Runs a validation with progress on stderr and the report on stdout; returns the exit status. */
export async function validateAction(
  flags: ValidateFlags,
  show: (report: Report, markdown: string) => string = (report) => renderTerminal(report),
): Promise<number> {
  for (const note of flags.deprecated) process.stderr.write(`sigstorm validate: ${note}\n`);
  await checkValidatePaths(flags);
  if (flags.shard !== undefined) return shardAction(flags);
  const { config, file, request } = await validateRequestFor(flags);
  if (file && !flags.quiet) process.stderr.write(`Config: ${file}\n`);
  return withValidateRun(flags, async ({ sandbox, options, finishProgress }) => {
    if (flags.warmBase) {
      const warm = await warmBase({ ...request, sandbox }, options);
      finishProgress();
      process.stdout.write(
        `Base warm: ${warm.cells} cells × ${warm.share} iterations in the base-results cache (${warm.ran} run now, ${warm.alreadyCached} already there, ${warm.seconds.toFixed(0)} s)${warm.noisyCells.length > 0 ? `; persisting noise (base failed in a variant of the workload): ${warm.noisyCells.join(', ')} warmed to ${warm.deep}` : ''}\n`,
      );
      return exitCodes.ok;
    }
    const result = await runValidation({ ...request, baseCache: flags.baseCache, sandbox }, options);
    finishProgress();
    return await showReport(result, flags, config.policy, show);
  });
}

/**
 * What every validate run (whole, warm-up or shard) sets up around itself: the sandbox, checked
 * first; Ctrl-C as an abort signal; progress on stderr (finished before the result is printed).
 * Both are released however `run` ends.
 */
export async function withValidateRun<T>(
  flags: Pick<ValidateFlags, 'sandbox' | 'quiet'>,
  run: (setup: {
    readonly sandbox: SandboxMode;
    readonly options: { signal: AbortSignal; onProgress: (p: ValidateProgress) => void };
    readonly finishProgress: () => void;
  }) => Promise<T>,
): Promise<T> {
  const sandbox = await cliSandbox(flags.sandbox, (line) =>
    process.stderr.write(`sigstorm validate: ${line}\n`),
  );
  const interrupt = onInterrupt();
  const mode: ProgressMode = flags.quiet ? 'quiet' : process.stderr.isTTY ? 'tty' : 'lines';
  const progress = createValidateProgress(mode);
  try {
    return await run({
      sandbox,
      options: { signal: interrupt.signal, onProgress: (p) => progress.update(p) },
      finishProgress: () => progress.finish(),
    });
  } finally {
    progress.finish();
    interrupt.dispose();
  }
}

/** Every path the flags name, checked before any work: a report that cannot be written is found now, not after the run. */
export async function checkValidatePaths(
  flags: Pick<ValidateFlags, 'out' | 'jsonFile' | 'markdownFile' | 'sarif' | 'reproDir' | 'blob'>,
): Promise<void> {
  if (flags.out) await checkOutputDir(flags.out, '--out');
  if (flags.reproDir) await checkOutputDir(flags.reproDir, '--repro-dir');
  const files = {
    '--json-file': flags.jsonFile,
    '--markdown-file': flags.markdownFile,
    '--sarif': flags.sarif,
    '--blob': flags.blob,
  };
  for (const [flag, file] of Object.entries(files)) if (file) await checkOutputFile(file, flag);
}
