import { describe, expect, it } from 'vitest';
import { ActionsModel, type WorkflowRun } from '../support/github-standin/actions.js';
import { sharedOpenApi } from '../support/github-standin/openapi.js';
import type { StandInRequest } from '../support/github-standin/standin.js';
import { callerPath, readWorkflow, type Workflow } from '../support/workflow-steps.js';

/**
 * The stand-in's GitHub Actions honours `concurrency:` as GitHub does, with the groups read from the
 * workflow files: the documented caller (docs/examples/sigstorm-shards.yml) and the reusable
 * validate.yml it calls. The App end to end with it: actions-concurrency.test.ts.
 */

const repo = 'o/iperf';
const file = 'sigstorm-shards.yml';
const options = '{"profile":"pr","workloads":"","variants":"","iterations":""}';

function model(definition?: Workflow): ActionsModel {
  const actions = new ActionsModel(sharedOpenApi(), () => 5);
  actions.addWorkflow(repo, file, definition);
  return actions;
}

function dispatch(actions: ActionsModel, inputs: Record<string, string>): WorkflowRun {
  const handler = actions.handlers()['actions/create-workflow-dispatch'];
  if (!handler) throw new Error('no dispatch handler');
  const request = {
    operationId: 'actions/create-workflow-dispatch',
    params: { owner: 'o', repo: 'iperf', workflow_id: file },
    query: new URLSearchParams(),
    body: {
      ref: 'main',
      inputs: { 'sigstorm-job': `j${actions.runs.size}`, shards: '2', options, ...inputs },
      return_run_details: true,
    },
    headers: {},
    installationId: 5,
    apiUrl: 'http://127.0.0.1:1/api/v3',
  } satisfies StandInRequest;
  const answer = handler(request) as { status: number; body: { workflow_run_id: number } };
  expect(answer.status).toBe(200);
  const run = actions.runs.get(answer.body.workflow_run_id);
  if (!run) throw new Error('no run');
  return run;
}

/** What a runner does: takes the next job (undefined: none to take). */
function take(actions: ActionsModel): { jobId: number; runId: number } | undefined {
  const answer = actions.route('GET', '/_runner/jobs/next', Buffer.alloc(0));
  return answer?.status === 200 ? (answer.body as { jobId: number; runId: number }) : undefined;
}

function finish(actions: ActionsModel, jobId: number, conclusion: string): void {
  actions.route('POST', `/_runner/jobs/${jobId}/complete`, Buffer.from(JSON.stringify({ conclusion })));
}

function cancelledOnRunner(actions: ActionsModel, jobId: number): boolean {
  const answer = actions.route('GET', `/_runner/jobs/${jobId}`, Buffer.alloc(0));
  return (answer?.body as { cancelled?: boolean } | undefined)?.cancelled === true;
}

describe("the stand-in's Actions honour concurrency groups", () => {
  it('reads both groups from the YAML: the caller’s and validate.yml’s, per pull request', () => {
    const actions = model();
    const a = dispatch(actions, { pull: '7', base: 'b', head: 'h1' });
    expect(a.groups.map((g) => g.name)).toEqual(['sigstorm-shards-7', 'sigstorm-validate-o/iperf-7']);
    expect(a.groups.every((g) => g.cancelInProgress)).toBe(true);
  });

  it('cancel-in-progress: a second dispatch for the pull request cancels the run in progress; its jobs stop', () => {
    const actions = model();
    const first = dispatch(actions, { pull: '7', base: 'b', head: 'h1' });
    const held = take(actions);
    expect(held?.runId).toBe(first.id);
    expect(first.status).toBe('in_progress');
    const other = dispatch(actions, { pull: '8', base: 'b', head: 'h9' });
    const second = dispatch(actions, { pull: '7', base: 'b', head: 'h2' });
    // The queued job of the first run never starts; the running one is told to stop.
    expect(first.jobs.map((j) => j.status)).toEqual(['in_progress', 'completed']);
    expect(cancelledOnRunner(actions, held?.jobId ?? 0)).toBe(true);
    expect(first.cancelledBecause).toBe(
      "Canceling since a higher priority waiting request for 'sigstorm-shards-7' exists",
    );
    // Whatever the runner says of the stopped job, the run is cancelled.
    finish(actions, held?.jobId ?? 0, 'success');
    expect([first.status, first.conclusion]).toEqual(['completed', 'cancelled']);
    // The new run and the other pull request's run go on; runners take only theirs.
    expect(second.status).toBe('queued');
    expect(other.cancelRequested).toBe(false);
    const next = [take(actions), take(actions), take(actions), take(actions)].map((j) => j?.runId);
    expect(next.sort()).toEqual([other.id, other.id, second.id, second.id].sort());
  });

  it('without cancel-in-progress: the newer run waits (pending), an older pending one is superseded', () => {
    const caller = readWorkflow(callerPath);
    // The caller with the group kept but without cancel-in-progress, and no reusable workflow's group.
    const definition: Workflow = {
      ...caller,
      concurrency: { group: `sigstorm-shards-\${{ inputs.pull }}`, 'cancel-in-progress': false },
      jobs: { sigstorm: { steps: [] } },
    };
    const actions = model(definition);
    const first = dispatch(actions, { pull: '7', base: 'b', head: 'h1' });
    const jobs = [take(actions), take(actions)];
    const second = dispatch(actions, { pull: '7', base: 'b', head: 'h2' });
    expect(second.status).toBe('pending');
    expect(take(actions)).toBeUndefined();
    const third = dispatch(actions, { pull: '7', base: 'b', head: 'h3' });
    expect([second.status, second.conclusion]).toEqual(['completed', 'cancelled']);
    expect(second.jobs.every((j) => j.conclusion === 'cancelled')).toBe(true);
    expect(third.status).toBe('pending');
    expect(first.cancelRequested).toBe(false);
    // The run in progress ends as it would: then the waiting one starts.
    for (const job of jobs) finish(actions, job?.jobId ?? 0, 'success');
    expect([first.status, first.conclusion]).toEqual(['completed', 'success']);
    expect(third.status).toBe('queued');
    expect(take(actions)?.runId).toBe(third.id);
  });

  it('one group held by the caller and the workflow it calls is a deadlock: GitHub cancels the run', () => {
    const caller = readWorkflow(callerPath);
    const definition: Workflow = {
      ...caller,
      concurrency: {
        group: `sigstorm-validate-\${{ github.repository }}-\${{ inputs.pull }}`,
        'cancel-in-progress': true,
      },
    };
    const actions = model(definition);
    const run = dispatch(actions, { pull: '7', base: 'b', head: 'h1' });
    expect([run.status, run.conclusion]).toEqual(['completed', 'cancelled']);
    expect(run.cancelledBecause).toMatch(/deadlock for concurrency group 'sigstorm-validate-o\/iperf-7'/);
    expect(take(actions)).toBeUndefined();
  });
});
