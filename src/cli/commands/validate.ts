import { copyFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { variantNames } from '../../build/variants.js';
import { formatConfigProblem, parseRepoConfigText } from '../../config/repo-config-parse.js';
import type { ValidateRequest } from '../../pipeline/contract.js';
import { runValidation } from '../../pipeline/validate.js';
import type { Report } from '../../report/report.schema.js';
import { renderTerminal } from '../../report/terminal.js';
import { UsageError } from '../../util/errors.js';
import { parseFlags } from '../parse-flags.js';
import { cliSandbox } from '../sandbox-mode.js';
import type { ProgressMode } from '../storm-progress.js';
import { createValidateProgress } from '../validate-progress.js';

const list = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );
const int = (what: string, min: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`);

/** `90`, `90s`, `5m`, `1h` → seconds. */
const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?[smh]?$/, '--budget takes a duration like 90s, 5m or 1h')
  .transform((s) => {
    const n = Number.parseFloat(s);
    return s.endsWith('h') ? n * 3600 : s.endsWith('m') ? n * 60 : n;
  });

const ValidateFlags = z.object({
  repo: z.string().min(1).optional(),
  base: z.string().min(1).optional(),
  basePatches: list('--base-patches').optional(),
  head: z.string().min(1).optional(),
  headPatches: list('--head-patches').optional(),
  workloads: list('--workloads').optional(),
  variants: list('--variants')
    .pipe(z.array(z.enum(variantNames, { error: `--variants takes ${variantNames.join(', ')}` })))
    .optional(),
  iterations: int('--iterations', 1).optional(),
  budget: Duration.optional(),
  failFast: z.boolean().optional(),
  profile: z.enum(['pr', 'release'], { error: '--profile is pr or release' }).default('pr'),
  seed: int('--seed', 0).optional(),
  lanes: int('--lanes', 1).optional(),
  cpus: z.string().min(1).optional(),
  throughputRuns: int('--throughput-runs', 0).optional(),
  config: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  json: z.string().min(1).optional(),
  markdown: z.string().min(1).optional(),
  baseCache: z.boolean().default(true),
  quiet: z.boolean().default(false),
  failOnRegression: z.boolean().default(false),
  sandbox: z.boolean().default(true),
});
export type ValidateFlags = z.infer<typeof ValidateFlags>;

/** Exit status with --fail-on-regression when either verdict is a regression. */
export const exitRegression = 3;

export function registerValidate(program: Command): void {
  program
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
    .option('--fail-fast', 'stop all storms once one cell settles as a regression')
    .option('--no-fail-fast', 'run every cell to its own stop, even after a regression')
    .option('--profile <name>', 'pr (fast) or release (every variant, more iterations)', 'pr')
    .option('--seed <s>', 'seed of every random choice (default: derived from the base tree)')
    .option('--lanes <k>', 'parallel storm lanes (default: one per two CPUs)')
    .option('--cpus <list>', 'CPUs to use, taskset style')
    .option('--throughput-runs <n>', 'throughput runs per side (0 skips throughput)')
    .option('--config <file>', 'a sigstorm.yml whose workloads, variants, iterations and thresholds apply')
    .option('--out <dir>', 'directory for report.json, report.md and iterations/ (default: under the cache)')
    .option('--json <file>', 'also write the JSON report here')
    .option('--markdown <file>', 'also write the Markdown report here')
    .option('--no-base-cache', 'do not reuse base results of earlier validations')
    .option('--quiet', 'no progress display')
    .option(
      '--no-sandbox',
      'run the code under test without the bubblewrap sandbox (your own code, machines without user namespaces)',
    )
    .option('--fail-on-regression', `exit ${exitRegression} when stability or throughput regressed`)
    .addHelpText(
      'after',
      `\nExit status: 0 the validation ran (whatever it found), ${exitRegression} a regression with --fail-on-regression,\n2 bad input, 1 the validation could not run (a build failed, a storm could not start).`,
    )
    .action(async (raw: unknown) => {
      process.exitCode = await validateAction(parseValidateFlags(raw));
    });
}

export function parseValidateFlags(raw: unknown): ValidateFlags {
  return parseFlags(ValidateFlags, raw, 'validate');
}

async function requestFrom(flags: ValidateFlags): Promise<ValidateRequest> {
  let config: Partial<Pick<ValidateRequest, 'workloads' | 'variants' | 'iterations' | 'thresholds'>> = {};
  if (flags.config) {
    const text = await readFile(flags.config, 'utf8').catch((error: unknown) => {
      throw new UsageError(`Cannot read ${flags.config}`, {
        cause: error,
        hint: 'Give the path of a sigstorm.yml.',
      });
    });
    const result = parseRepoConfigText(text, flags.config);
    if (!result.ok) {
      throw new UsageError(`Invalid configuration ${flags.config}`, {
        details: result.problems.map(formatConfigProblem).join('\n'),
        hint: 'Fix the file; every field is described in docs/github-app.md.',
      });
    }
    const c = result.config;
    config = {
      ...(c.workloads ? { workloads: c.workloads } : {}),
      ...(c.variants ? { variants: c.variants } : {}),
      ...(c.iterations ? { iterations: c.iterations } : {}),
      ...('thresholds' in c && c.thresholds ? { thresholds: c.thresholds } : {}),
    };
  }
  const tree = (ref: string | undefined, patches: string[] | undefined) => ({
    ...(flags.repo ? { repo: flags.repo } : {}),
    ...(ref ? { ref } : {}),
    patches: (patches ?? []).map((p) => resolve(p)),
  });
  return {
    ...config,
    base: tree(flags.base, flags.basePatches),
    head: tree(flags.head ?? flags.base, flags.headPatches),
    ...(flags.workloads ? { workloads: flags.workloads } : {}),
    ...(flags.variants ? { variants: flags.variants } : {}),
    ...(flags.iterations ? { iterations: flags.iterations } : {}),
    ...(flags.budget === undefined ? {} : { budgetSeconds: flags.budget }),
    ...(flags.failFast === undefined ? {} : { failFast: flags.failFast }),
    profile: flags.profile,
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.lanes ? { lanes: flags.lanes } : {}),
    ...(flags.cpus ? { cpus: flags.cpus } : {}),
    ...(flags.throughputRuns === undefined ? {} : { throughputRuns: flags.throughputRuns }),
    ...(flags.out ? { outDir: flags.out } : {}),
  };
}

/** Runs a validation with progress on stderr and the report on stdout; returns the exit status. */
export async function validateAction(
  flags: ValidateFlags,
  show: (report: Report, markdown: string) => string = (report) => renderTerminal(report),
): Promise<number> {
  const request = await requestFrom(flags);
  const sandbox = await cliSandbox(flags.sandbox, (line) => process.stderr.write(`${line}\n`));
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const mode: ProgressMode = flags.quiet ? 'quiet' : process.stderr.isTTY ? 'tty' : 'lines';
  const progress = createValidateProgress(mode);
  try {
    const result = await runValidation(
      { ...request, baseCache: flags.baseCache, sandbox },
      { signal: controller.signal, onProgress: (p) => progress.update(p) },
    );
    progress.finish();
    if (flags.json) await copyFile(join(result.outDir, 'report.json'), flags.json);
    if (flags.markdown) await copyFile(join(result.outDir, 'report.md'), flags.markdown);
    process.stdout.write(show(result.report as Report, result.markdown));
    process.stderr.write(
      `\nFiles: ${join(result.outDir, 'report.md')}, ${join(result.outDir, 'report.json')}, ${join(result.outDir, 'iterations')}/\n`,
    );
    const regressed = result.verdict.stability === 'regression' || result.verdict.throughput === 'regression';
    return flags.failOnRegression && regressed ? exitRegression : 0;
  } finally {
    progress.finish();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
