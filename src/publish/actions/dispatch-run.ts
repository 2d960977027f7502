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
 * The inputs of the caller workflow (docs/github-actions.md): the exact commits, the pull request,
 * the shard count, the runners, the job's own options, the one config of the run (the text the App
 * read, base64) and `sigstorm-job`, the correlation id its run-name carries.
 */
export function dispatchInputs(
  job: Job,
  executor: ActionsExecutor,
  correlation: string,
  config: string,
): Record<string, string> {
  const [label] = executor.runsOn;
  return {
    'sigstorm-job': correlation,
    base: job.baseSha,
    head: job.headSha,
    pull: job.pullNumber === null ? '' : String(job.pullNumber),
    shards: String(executor.shards),
    // One label as it is; several as JSON, which the reusable workflow reads with fromJSON.
    'runs-on': executor.runsOn.length === 1 && label ? label : JSON.stringify(executor.runsOn),
    // One JSON input for the job's own options (empty: the config's): a dispatch takes 10 inputs at most.
    options: JSON.stringify({
      profile: job.options.profile,
      workloads: job.options.workloads?.join(',') ?? '',
      variants: job.options.variants?.join(',') ?? '',
      iterations: job.options.iterations === undefined ? '' : String(job.options.iterations),
    }),
    config: `base64:${Buffer.from(config, 'utf8').toString('base64')}`,
  };
}

/** GitHub refuses a dispatch whose inputs exceed 65,535 characters; the config is most of them. */
const maxConfigInput = 60_000;

/** A new correlation id for a dispatch of the job (its id and a random part). */
export function newCorrelation(job: Job): string {
  return `sigstorm-${job.id}-${randomBytes(4).toString('hex')}`;
}

/**
 * Dispatches the repository's caller workflow for the job's base and head on the base branch (the
 * workflow file as the base branch has it: a pull request cannot change its own workflow), with the
 * config the job read (`config`, YAML text: every shard and the App's merge use this one), records
 * the run and leaves the job `dispatched`: the follower (./follow-runs.ts) takes it from there.
 * A workflow GitHub does not have or refuses is the maintainer's to fix: a `PipelineFailure`.
 */
export async function dispatchRun(run: Run, executor: ActionsExecutor, config: string): Promise<void> {
  const { job, services, octokit } = run;
  const correlation = newCorrelation(job);
  const inputs = dispatchInputs(job, executor, correlation, config);
  if ((inputs.config ?? '').length > maxConfigInput) {
    throw new PipelineFailure(
      new SigstormError('.github/sigstorm.yml is too large to pass to a dispatched workflow run', {
        details: `${inputs.config?.length} characters as base64; GitHub takes at most 65,535 for all inputs`,
        hint: 'Shorten .github/sigstorm.yml (comments count too), or use `executor: { kind: local }`.',
      }),
    );
  }
  const record: ActionsRun = {
    workflow: executor.workflow,
    correlation,
    runId: null,
    htmlUrl: null,
    shards: executor.shards,
    done: 0,
    iterations: {},
    dispatchedAt: new Date().toISOString(),
    ref: job.baseLabel,
    inputs: Object.fromEntries(Object.entries(inputs).filter(([name]) => name !== 'sigstorm-job')),
    config,
    dispatches: 1,
    earlier: [],
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
      inputs,
    );
  } catch (error) {
    const refused = refusal(error, executor.workflow, job.baseLabel);
    if (refused) throw new PipelineFailure(refused);
    throw error;
  }
  // The wait for its run (./follow-runs.ts) counts from GitHub's answer.
  const dispatched = {
    ...record,
    runId: created?.runId ?? null,
    htmlUrl: created?.htmlUrl ?? null,
    dispatchedAt: new Date().toISOString(),
  };
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
