import type { ValidateResult } from '../../pipeline/contract.js';
import { describeError, SigstormError } from '../../util/errors.js';
import { conclusionFor } from '../conclusion.js';
import { type CheckState, updateCheckRun } from '../github/check-run.js';
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
import { errorComment } from '../messages/report-comment-body.js';
import type { AbortReason, Services } from '../services.js';
import type { Job, StoredResult } from '../store/job.js';
import { buildRequest } from './build-request.js';
import { progressReporter } from './progress-reporter.js';
import { publishResult } from './publish-result.js';
import { redactCredentials, repoSource } from './source.js';

/**
 * Runs one claimed job (status `running`) to its end: numbered steps, each visible on the check run.
 * The job leaves `running` and its check run leaves `in_progress`, except when GitHub cannot be
 * reached: then this throws and the executor queues the job again.
 */
export async function runJob(services: Services, job: Job, signal: AbortSignal): Promise<void> {
  const log = services.log.child({ job: job.id });
  const octokit = await services.auth(job.installationId);
  const check = (state: CheckState) => updateCheckRun(octokit, job, state);
  try {
    // The validation finished in an earlier attempt: only its publishing is left.
    if (job.result) {
      await publishResult(services, octokit, job, job.result);
      log.info({ conclusion: job.result.conclusion }, 'sigstorm: kept result published');
      return;
    }
    // 1. The repository's config, from its default branch.
    const config = await loadRepoConfig(octokit, job.owner, job.repo);
    if (!config.ok) {
      await check({
        status: 'completed',
        conclusion: 'failure',
        output: configErrorOutput(job, config.problems),
      });
      services.store.markCheckFinal(job.id);
      services.store.transition(job.id, ['running'], 'failed', {
        note: 'invalid config',
        conclusion: 'failure',
      });
      return;
    }
    signal.throwIfAborted();
    // 2. In progress, then the pipeline with throttled progress.
    await check({ status: 'in_progress', started: true, output: startingOutput(job) });
    const repo = await repoSource(job, services.settings, () => installationToken(octokit));
    const request = buildRequest(job, config.config, repo, services.settings.iterationsCap);
    log.info({ request: redactCredentials(JSON.stringify(request)) }, 'sigstorm: validating');
    const reporter = progressReporter(
      (progress) => check({ status: 'in_progress', output: progressOutput(job, progress) }),
      {
        intervalMs: services.settings.progressIntervalMs,
        onError: (error) => log.warn({ err: error }, 'sigstorm: progress update failed'),
      },
    );
    let result: ValidateResult;
    try {
      result = await services.validate(request, { signal, onProgress: reporter.push });
    } catch (error) {
      throw new PipelineFailure(error);
    } finally {
      await reporter.close();
    }
    signal.throwIfAborted();
    // 3. The verdict under the repository's policy, kept before publishing: a failed publish retries the publish only.
    const stored: StoredResult = {
      conclusion: conclusionFor(result.verdict, config.config.policy),
      headline: redactCredentials(result.headline),
      markdown: redactCredentials(result.markdown),
      outDir: result.outDir,
    };
    services.store.saveResult(job.id, stored);
    await publishResult(services, octokit, { ...job, result: stored }, stored);
    log.info({ conclusion: stored.conclusion, outDir: result.outDir }, 'sigstorm: job done');
  } catch (error) {
    if (signal.aborted) {
      await stopped(services, octokit, job, abortReason(signal.reason));
      return;
    }
    // GitHub or the network failed, not the validation: the executor retries the job later.
    if (!(error instanceof PipelineFailure)) throw error;
    const cause = error.cause;
    // The message may quote the clone URL, token included: logged as redacted text.
    log.error({ error: redactCredentials(describeError(cause)) }, 'sigstorm: validation failed');
    services.store.transition(job.id, ['running'], 'failed', { note: String(cause), conclusion: 'failure' });
    const output = errorOutput(job, cause);
    const redacted = { title: redactCredentials(output.title), summary: redactCredentials(output.summary) };
    await check({ status: 'completed', conclusion: 'failure', output: redacted });
    services.store.markCheckFinal(job.id);
    // Errors about the code under test (a patch that does not build) are the author's to act on.
    const pullRef = pull(job);
    if (cause instanceof SigstormError && pullRef) {
      await upsertReportComment(octokit, pullRef, errorComment(job, redacted.summary));
    }
  }
}

/** The pipeline itself failed (bad input, a tree that does not build): a result to report, not to retry. */
class PipelineFailure extends Error {
  constructor(cause: unknown) {
    super('the validation failed', { cause });
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

async function installationToken(octokit: Octokit): Promise<string> {
  const auth: unknown = await octokit.auth({ type: 'installation' });
  if (typeof auth === 'object' && auth !== null && 'token' in auth && typeof auth.token === 'string') {
    return auth.token;
  }
  throw new Error('the installation token is missing from the auth result');
}
