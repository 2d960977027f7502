import { randomBytes } from 'node:crypto';
import type { ExecutorConfig } from '../../config/repo-config.schema.js';
import { SigstormError } from '../../util/errors.js';
import { PipelineFailure, type Run } from '../executor/run.js';
import { httpStatus } from '../github/octokit.js';
import { actionsProgressOutput } from '../messages/check-outputs.js';
import type { ActionsRun, Job } from '../store/job.js';
import { dispatchWorkflow } from './actions-api.js';

type ActionsExecutor = Extract<ExecutorConfig, { kind: 'actions' }>;

/**
 * The inputs of the caller workflow (docs/github-actions.md): the exact commits, the shard count,
 * the runners, the job's own options, and `sigstorm-job`, the correlation id its run-name carries.
 */
export function dispatchInputs(
  job: Job,
  executor: ActionsExecutor,
  correlation: string,
): Record<string, string> {
  const [label] = executor.runsOn;
  return {
    'sigstorm-job': correlation,
    base: job.baseSha,
    head: job.headSha,
    shards: String(executor.shards),
    // One label as it is; several as JSON, which the reusable workflow reads with fromJSON.
    'runs-on': executor.runsOn.length === 1 && label ? label : JSON.stringify(executor.runsOn),
    profile: job.options.profile,
    workloads: job.options.workloads?.join(',') ?? '',
    variants: job.options.variants?.join(',') ?? '',
    iterations: job.options.iterations === undefined ? '' : String(job.options.iterations),
  };
}

/**
 * Dispatches the repository's caller workflow for the job's base and head on the base branch (the
 * workflow file as the base branch has it: a pull request cannot change its own workflow), records
 * the run and leaves the job `dispatched`: the follower (./follow-runs.ts) takes it from there.
 * A workflow GitHub does not have or refuses is the maintainer's to fix: a `PipelineFailure`.
 */
export async function dispatchRun(run: Run, executor: ActionsExecutor): Promise<void> {
  const { job, services, octokit } = run;
  const correlation = `sigstorm-${job.id}-${randomBytes(4).toString('hex')}`;
  const record: ActionsRun = {
    workflow: executor.workflow,
    correlation,
    runId: null,
    htmlUrl: null,
    shards: executor.shards,
    done: 0,
    iterations: {},
    dispatchedAt: new Date().toISOString(),
  };
  // Kept before the call: if the answer is lost, the run is still found by its correlation id.
  services.store.setActionsRun(job.id, record);
  let created: Awaited<ReturnType<typeof dispatchWorkflow>>;
  try {
    created = await dispatchWorkflow(
      octokit,
      { owner: job.owner, repo: job.repo },
      executor.workflow,
      job.baseLabel,
      dispatchInputs(job, executor, correlation),
    );
  } catch (error) {
    const refused = refusal(error, executor.workflow, job.baseLabel);
    if (refused) throw new PipelineFailure(refused);
    throw error;
  }
  const dispatched = { ...record, runId: created?.runId ?? null, htmlUrl: created?.htmlUrl ?? null };
  services.store.setActionsRun(job.id, dispatched);
  services.store.transition(job.id, ['running'], 'dispatched');
  await run.check({
    status: 'in_progress',
    started: true,
    output: actionsProgressOutput(job, { ...dispatched, status: 'queued' }),
  });
  run.log.info({ runId: dispatched.runId, correlation }, 'sigstorm: dispatched to GitHub Actions');
  services.actions.notify();
}

function refusal(error: unknown, workflow: string, ref: string): SigstormError | undefined {
  const status = httpStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  const path = `.github/workflows/${workflow}`;
  if (status === 404) {
    return new SigstormError(`GitHub has no workflow ${path} on branch ${ref} to dispatch`, {
      cause: error,
      hint: `Add the caller workflow of docs/github-actions.md as ${path} on ${ref}, or name yours in executor.workflow of .github/sigstorm.yml.`,
    });
  }
  if (status === 403) {
    return new SigstormError(`GitHub did not let the App dispatch ${path}`, {
      cause: error,
      details: message,
      hint: "The App needs the Actions permission (read and write): accept the App's updated permissions in the installation settings.",
    });
  }
  if (status === 422) {
    return new SigstormError(`GitHub refused to dispatch ${path} on ${ref}`, {
      cause: error,
      details: message,
      hint: 'The workflow needs `on: workflow_dispatch` with the inputs sigstorm passes (docs/github-actions.md lists them).',
    });
  }
  return undefined;
}
