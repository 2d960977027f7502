import type { Context } from 'probot';
import { maxIterations } from '../../config/repo-config.schema.js';
import { actionIds } from '../github/check-run.js';
import { canWrite } from '../github/permission.js';
import { pullCommits } from '../github/pull-commits.js';
import { bisectCommitRange, bisectJob, bisectRequestFrom, regressedOptions } from '../jobs/bisect-job.js';
import { enqueue } from '../jobs/enqueue.js';
import { rerunJob } from '../jobs/rerun-job.js';
import type { Services } from '../services.js';
import type { Job, JobOptions } from '../store/job.js';

export const checkRunEvents = ['check_run.rerequested', 'check_run.requested_action'] as const;
type CheckRunContext = Context<(typeof checkRunEvents)[number]>;

/**
 * The check run's Re-run button and its action buttons (approve untrusted code, 10× iterations):
 * a new run of the check's own commits; Bisect: a bisection of the pull request's commits up to the
 * check's head, on the cells its validation found regressed. GitHub shows them to people with write
 * access only; the app asks the API all the same.
 */
export function onCheckRun(services: Services) {
  return async (context: CheckRunContext): Promise<void> => {
    const { check_run: checkRun, installation, sender } = context.payload;
    if (!installation || sender.type === 'Bot') return;
    const previous = services.store.byCheckRun(checkRun.id);
    if (!previous) {
      context.log.warn(
        { checkRun: checkRun.id },
        'sigstorm: no job for this check run; ask with /sigstorm run',
      );
      return;
    }
    const identifier =
      context.payload.action === 'requested_action'
        ? context.payload.requested_action?.identifier
        : undefined;
    const label = context.payload.action === 'requested_action' ? actionLabel(identifier) : 'Re-run';
    if (!(await canWrite(context.octokit, previous.owner, previous.repo, sender.login))) {
      // The bot speaks only to collaborators: someone else's button press gets no comment.
      context.log.info({ user: sender.login, label }, 'sigstorm: check-run action by a non-writer ignored');
      return;
    }
    if (context.payload.action === 'requested_action' && identifier === actionIds.bisect) {
      await bisectFromCheck(services, context, previous, sender.login);
      return;
    }
    const options = nextOptions(previous.options, identifier);
    await enqueue(
      services,
      context.octokit,
      rerunJob(previous, {
        deliveryId: context.id,
        trigger: label,
        dedupe: `check_run:${context.id}`,
        requestedBy: sender.login,
        options,
      }),
    );
  };
}

function actionLabel(identifier: string | undefined): string {
  if (identifier === actionIds.approve) return 'Approve and run';
  if (identifier === actionIds.moreIterations) return '10× iterations';
  if (identifier === actionIds.bisect) return 'Bisect';
  return `action ${identifier ?? '(none)'}`;
}

function nextOptions(options: JobOptions, identifier: string | undefined): Omit<JobOptions, 'profile'> {
  const { profile: _profile, ...rest } = options;
  if (identifier !== actionIds.moreIterations) return rest;
  // Without an explicit number the run used the per-variant defaults (up to 2,000): 10× is the cap.
  const iterations =
    options.iterations === undefined ? maxIterations : Math.min(maxIterations, 10 * options.iterations);
  return { ...rest, iterations };
}

/**
 * The Bisect button of a validation that found a stability regression (publish-result.ts offers it
 * on pull requests of 2 to 32 commits): a bisection job of the pull request's commits up to the
 * validation's head. A pull request that moved on since (another head, another count) gets none.
 */
async function bisectFromCheck(
  services: Services,
  context: CheckRunContext,
  validation: Job,
  user: string,
): Promise<void> {
  const options = regressedOptions(validation);
  if (validation.kind !== 'pull_request' || validation.pullNumber === null || !options) {
    context.log.info({ job: validation.id }, 'sigstorm: Bisect pressed on a check without a regression');
    return;
  }
  const where = { owner: validation.owner, repo: validation.repo, pullNumber: validation.pullNumber };
  const commits = await pullCommits(context.octokit, where, bisectCommitRange);
  if (commits.kind === 'counted' || commits.head !== validation.headSha) {
    context.log.info(
      { job: validation.id, commits: commits.count },
      "sigstorm: Bisect pressed, but the pull request's commits are no longer the check's",
    );
    return;
  }
  await enqueue(
    services,
    context.octokit,
    bisectJob(
      bisectRequestFrom(validation, {
        deliveryId: context.id,
        good: commits.good,
        trigger: 'Bisect',
        dedupe: `check_run:${context.id}`,
        requestedBy: user,
        options,
      }),
    ),
  );
}
