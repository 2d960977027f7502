import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkConfigWorkloads } from '../../config/config-workloads.js';
import { configPath, RepoConfig } from '../../config/repo-config.schema.js';
import { formatConfigProblem, parseRepoConfigText } from '../../config/repo-config-parse.js';
import type { ValidateProgress, ValidateRequest } from '../../pipeline/request/contract.js';
import { requestFromConfig } from '../../pipeline/request/request-from-config.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import { UsageError } from '../../util/errors.js';
import { checkOutputDir, checkOutputFile } from '../check-paths.js';
import { onInterrupt } from '../interrupt.js';
import { cliSandbox } from '../sandbox-mode.js';
import type { ProgressMode } from '../storm-progress.js';
import { createValidateProgress } from '../validate-progress.js';
import type { ValidateFlags } from './validate-flags.js';

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
