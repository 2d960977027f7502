import type { Context } from 'probot';
import { maxIterations } from '../../config/repo-config.schema.js';
import { actionIds } from '../github/check-run.js';
import { canWrite } from '../github/permission.js';
import { enqueue } from '../jobs/enqueue.js';
import { rerunJob } from '../jobs/rerun-job.js';
import type { Services } from '../services.js';
import type { JobOptions } from '../store/job.js';

export const checkRunEvents = ['check_run.rerequested', 'check_run.requested_action'] as const;
type CheckRunContext = Context<(typeof checkRunEvents)[number]>;

/**
 * The check run's Re-run button and its action buttons (approve untrusted code, 10× iterations):
 * a new run of the check's own commits. GitHub shows them to people with write access only; the
 * app asks the API all the same.
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
    const label =
      context.payload.action === 'requested_action'
        ? actionLabel(context.payload.requested_action?.identifier)
        : 'Re-run';
    if (!(await canWrite(context.octokit, previous.owner, previous.repo, sender.login))) {
      // The bot speaks only to collaborators: someone else's button press gets no comment.
      context.log.info({ user: sender.login, label }, 'sigstorm: check-run action by a non-writer ignored');
      return;
    }
    const options = nextOptions(
      previous.options,
      context.payload.action === 'requested_action'
        ? context.payload.requested_action?.identifier
        : undefined,
    );
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
