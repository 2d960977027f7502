import { stringify } from 'yaml';
import type { CommentWhen, RepoConfig } from '../../config/repo-config.schema.js';
import { regressedCellsOf } from '../../pipeline/bisect/cells-from-report.js';
import { conclusionFor } from '../../pipeline/output/conclusion.js';
import type { ValidateResult } from '../../pipeline/request/contract.js';
import { requestFromConfig } from '../../pipeline/request/request-from-config.js';
import { checkAnnotations } from '../../report/annotations.js';
import { defaultSandboxLimits } from '../../sandbox/sandbox.schema.js';
import { describeError, SigstormError } from '../../util/errors.js';
import { dispatchRun } from '../actions/dispatch-run.js';
import { updateCheckRun } from '../github/check-run.js';
import { loadRepoConfig } from '../github/load-config.js';
import type { Octokit } from '../github/octokit.js';
import { upsertReportComment } from '../github/report-comment.js';
import {
  cancelledOutput,
  configErrorOutput,
  errorOutput,
  progressOutput,
  restartedOutput,
  startingOutput,
} from '../messages/check-outputs.js';
import { commentAction } from '../messages/comment-wanted.js';
import { errorComment } from '../messages/report-comment-body.js';
import type { AbortReason, Services } from '../services.js';
import type { Job, StoredResult } from '../store/job.js';
import { progressReporter } from './progress-reporter.js';
import { publishResult } from './publish-result.js';
import { PipelineFailure, type Run, runOf } from './run.js';
import { bisectPullRequest } from './run-bisect.js';
import { redactCredentials, repoSource } from './source.js';

/**
 * Runs one claimed job (status `running`) to its end: numbered steps, each visible on the check run.
 * The job leaves `running` and its check run leaves `in_progress`, except when GitHub cannot be
 * reached: then this throws and the executor queues the job again.
 */
export async function runJob(services: Services, job: Job, signal: AbortSignal): Promise<void> {
  const octokit = await services.auth(job.installationId);
  const run = runOf(services, job, octokit, signal);
  // The config's `comment` setting, once read: `never` also keeps error comments off the pull request.
  let comment: CommentWhen = 'always';
  try {
    // The validation finished in an earlier attempt: only its publishing is left.
    if (job.result) {
      await publish(run, job.result);
      return;
    }
    // 1. The repository's config, from its default branch.
    const loaded = await loadConfig(run);
    if (!loaded) return;
    const { config } = loaded;
    comment = config.comment;
    signal.throwIfAborted();
    // 2b. A bisection of a pull request's commits: always on this host (its steps are sequential).
    if (job.kind === 'bisect') {
      const repo = await repoSource(job, services.settings, () => installationToken(octokit));
      const stored = await bisectPullRequest(run, config, repo);
      signal.throwIfAborted();
      await publish(run, stored);
      return;
    }
    // 2a. Pull requests of a repository with `executor: actions`: dispatched to GitHub Actions and
    // followed from there (actions/follow-runs.ts); the local slot is free again at once.
    if (config.executor.kind === 'actions' && job.kind === 'pull_request') {
      await dispatchRun(run, config.executor, loaded.text);
      return;
    }
    // 2. In progress, then the pipeline with throttled progress.
    const result = await validate(run, config);
    signal.throwIfAborted();
    // 3. The verdict under the repository's policy, kept before publishing: a failed publish retries the publish only.
    const stored = saveResult(run, result, config);
    // 4. The report comment and the completed check.
    await publish(run, stored);
  } catch (error) {
    if (signal.aborted) {
      await stopped(services, octokit, job, abortReason(signal.reason));
      return;
    }
    // GitHub or the network failed, not the validation: the executor retries the job later.
    if (!(error instanceof PipelineFailure)) throw error;
    await publishFailure(run, error.cause, comment);
  }
}

/** The config as read once for a job: parsed, and as YAML text (what a dispatched run is given). */
export interface LoadedConfig {
  readonly config: RepoConfig;
  readonly text: string;
}

/** The parsed config, or undefined when it is invalid: then the check and the job have failed, saying where. */
export async function loadConfig(run: Run): Promise<LoadedConfig | undefined> {
  const { job } = run;
  const config = await loadRepoConfig(run.octokit, job.owner, job.repo);
  if (config.ok) return { config: config.config, text: stringify(config.value) };
  await run.check({
    status: 'completed',
    conclusion: 'failure',
    output: configErrorOutput(job, config.problems),
  });
  run.services.store.markCheckFinal(job.id);
  run.services.store.transition(job.id, ['running'], 'failed', {
    note: 'invalid config',
    conclusion: 'failure',
  });
  return undefined;
}

/** Marks the check in progress and runs the pipeline on the job's request; its own failures become `PipelineFailure`. */
async function validate(run: Run, config: RepoConfig): Promise<ValidateResult> {
  const { services, job, octokit, log } = run;
  await run.check({ status: 'in_progress', started: true, output: startingOutput(job) });
  const repo = await repoSource(job, services.settings, () => installationToken(octokit));
  // A pull request's code runs only in a sandbox, whatever the job or the config asks.
  const request = {
    ...jobRequest(job, config, repo, services.settings.iterationsCap),
    sandbox: { kind: 'bwrap', limits: services.settings.sandboxLimits ?? defaultSandboxLimits } as const,
  };
  log.info({ request: redactCredentials(JSON.stringify(request)) }, 'sigstorm: validating');
  const reporter = progressReporter(
    (progress) => run.check({ status: 'in_progress', output: progressOutput(job, progress) }),
    {
      intervalMs: services.settings.progressIntervalMs,
      onError: (error) => log.warn({ err: error }, 'sigstorm: progress update failed'),
    },
  );
  try {
    return await services.validate(request, { signal: run.signal, onProgress: reporter.push });
  } catch (error) {
    throw new PipelineFailure(error);
  } finally {
    await reporter.close();
  }
}

/** The job's request: its options (a slash command's arguments) over the config, capped by the host. */
export function jobRequest(
  job: Pick<Job, 'baseSha' | 'headSha' | 'options' | 'cloneUrl'>,
  config: RepoConfig,
  repo: string,
  iterationsCap: number | undefined,
) {
  const { profile, ...overrides } = job.options;
  return requestFromConfig({
    // Reports name the repository by its clone URL (no token), whatever it was cloned from.
    base: { repo, ref: job.baseSha, publicRepo: job.cloneUrl },
    head: { repo, ref: job.headSha, publicRepo: job.cloneUrl },
    config,
    profile,
    overrides,
    iterationsCap,
  });
}

/** Keeps the validation's result (the job is `validated`), so that a failed publish repeats only the publish. */
export function saveResult(run: Run, result: ValidateResult, config: RepoConfig): StoredResult {
  const stored: StoredResult = {
    conclusion: conclusionFor(result.verdict, config.policy),
    headline: redactCredentials(result.headline),
    markdown: redactCredentials(result.markdown),
    outDir: result.outDir,
    comment: commentAction(config.comment, result.report),
    annotations: checkAnnotations(result.report),
    // What a bisection of the pull request's commits would storm (its check offers one).
    regressedCells:
      result.report.verdict.stability === 'regression' ? (regressedCellsOf(result.report) ?? null) : null,
  };
  run.services.store.saveResult(run.job.id, stored);
  return stored;
}

/** The report comment first, so the check's end is the last word; then the job is done. */
export async function publish(run: Run, result: StoredResult): Promise<void> {
  await publishResult(run.services, run.octokit, { ...run.job, result }, result);
  run.log.info({ conclusion: result.conclusion, outDir: result.outDir }, 'sigstorm: job done');
}

/** The validation could not run: the job fails; errors about the code under test also go to the pull request. */
export async function publishFailure(
  run: Run,
  cause: unknown,
  comment: CommentWhen,
  options: { checkFirst?: boolean } = {},
): Promise<void> {
  const { job } = run;
  // The message may quote the clone URL, token included: logged as redacted text.
  run.log.error({ error: redactCredentials(describeError(cause)) }, 'sigstorm: validation failed');
  const fail = () =>
    run.services.store.transition(job.id, ['running'], 'failed', {
      // Stored for the repair pass, which may post it later: redacted before it is kept.
      note: redactCredentials(describeError(cause)),
      conclusion: 'failure',
    });
  // `checkFirst` (a publisher beside the executor, whose repair pass would complete a failed job's
  // open check meanwhile): the job fails once its check is final; if GitHub fails first, the caller retries.
  if (!options.checkFirst) fail();
  const output = errorOutput(job, cause);
  const redacted = { title: redactCredentials(output.title), summary: redactCredentials(output.summary) };
  await run.check({ status: 'completed', conclusion: 'failure', output: redacted });
  run.services.store.markCheckFinal(job.id);
  if (options.checkFirst) fail();
  // Errors about the code under test (a patch that does not build) are the author's to act on.
  const pullRef = pull(job);
  if (cause instanceof SigstormError && pullRef && comment !== 'never') {
    await upsertReportComment(run.octokit, pullRef, errorComment(job, redacted.summary));
  }
}

async function stopped(services: Services, octokit: Octokit, job: Job, reason: AbortReason): Promise<void> {
  if (reason.kind === 'shutdown') {
    // Stopped on purpose: back in the queue, not counted as an attempt; the check says it waits.
    services.store.requeue(job.id, 'the app shut down during the run', true);
    await updateCheckRun(octokit, job, {
      status: 'queued',
      output: restartedOutput(job, { kind: 'shutdown' }),
    });
    return;
  }
  services.store.transition(job.id, ['running'], 'cancelled', { note: reason.message });
  await updateCheckRun(octokit, job, {
    status: 'completed',
    conclusion: 'cancelled',
    output: cancelledOutput(job, reason.message),
  });
  services.store.markCheckFinal(job.id);
}

function pull(job: Job) {
  return job.pullNumber === null
    ? undefined
    : { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
}

function abortReason(reason: unknown): AbortReason {
  if (typeof reason === 'object' && reason !== null && 'kind' in reason) {
    if (reason.kind === 'shutdown') return { kind: 'shutdown' };
    if (reason.kind === 'cancelled' && 'message' in reason && typeof reason.message === 'string') {
      return { kind: 'cancelled', message: reason.message };
    }
  }
  return { kind: 'cancelled', message: 'The run was cancelled.' };
}

export async function installationToken(octokit: Octokit): Promise<string> {
  const auth: unknown = await octokit.auth({ type: 'installation' });
  if (typeof auth === 'object' && auth !== null && 'token' in auth && typeof auth.token === 'string') {
    return auth.token;
  }
  throw new Error('the installation token is missing from the auth result');
}
