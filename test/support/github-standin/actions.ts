import { randomBytes } from 'node:crypto';
import {
  calledInputs,
  callerPath,
  interpolate,
  readWorkflow,
  reusablePath,
  show,
  type Workflow,
} from '../workflow-steps.js';
import type { OpenApi } from './openapi.js';
import type { OperationHandler, StandInRequest, StandInResponse } from './standin.js';
import { type EventName, webhookExample } from './webhooks.js';

/**
 * GitHub Actions in the stand-in: workflow_dispatch creates a run of shard jobs (the matrix of the
 * reusable validate.yml), runners (test/support/actions-runner.ts, a separate process) take the
 * jobs through a small runner protocol and upload their artifacts; the REST side (runs, jobs,
 * artifacts, the artifact zip behind a redirect to storage, cancel) is answered from this state and
 * checked against the OpenAPI description like every other operation. Every change a runner or a
 * cancel makes is announced to the App as a signed workflow_run / workflow_job delivery.
 *
 * `concurrency:` is honoured as GitHub does, from the workflow files themselves: the caller's group
 * (workflow level) and the reusable validate.yml's (which its `sigstorm` job holds), evaluated with
 * the dispatch's inputs. A new run in a group with cancel-in-progress cancels the run in progress
 * (its jobs stop, it concludes `cancelled`); without it the newer run waits (`pending`) while one
 * is in progress, and an older pending run is superseded (cancelled). One group held twice (caller
 * and reusable workflow) is a deadlock, which GitHub cancels.
 *
 * The runner protocol and the storage are not GitHub's REST API (runners speak their own protocol,
 * artifacts come from blob storage), so they live outside the API prefix, unchecked by the description.
 */

export interface RunnerJob {
  readonly id: number;
  readonly runId: number;
  readonly name: string;
  readonly shard: number;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface WorkflowRun {
  readonly id: number;
  readonly repo: string;
  readonly workflow: string;
  readonly workflowId: number;
  readonly ref: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly displayTitle: string;
  readonly runNumber: number;
  readonly createdAt: string;
  /** `pending`: waiting for its concurrency group (no runner takes its jobs). */
  status: 'queued' | 'pending' | 'in_progress' | 'completed';
  conclusion: string | null;
  cancelRequested: boolean;
  /** The concurrency groups the run holds (caller, then reusable workflow), from the YAML. */
  readonly groups: readonly ConcurrencyGroup[];
  /** Why the stand-in cancelled it on its own (a concurrency group), as GitHub's annotation says. */
  cancelledBecause: string | null;
  /** 1, then one more for every re-run of some or all of its jobs. */
  attempt: number;
  readonly jobs: RunnerJob[];
  readonly artifacts: { id: number; name: string; data: Buffer; createdAt: string }[];
}

/** What a runner gets for a job: the run's dispatch inputs, its branch and attempt. */
export interface RunnerJobSpec {
  readonly jobId: number;
  readonly runId: number;
  readonly repo: string;
  /** The branch the run was dispatched on (what actions/checkout checks out). */
  readonly ref: string;
  readonly attempt: number;
  readonly shard: number;
  readonly shards: number;
  readonly inputs: Readonly<Record<string, string>>;
}

export interface ConcurrencyGroup {
  readonly name: string;
  readonly cancelInProgress: boolean;
}

export type WorkflowEvent = (
  event: Extract<EventName, 'workflow_run' | 'workflow_job'>,
  payload: object,
) => void;

export class ActionsModel {
  readonly runs = new Map<number, WorkflowRun>();
  /** `owner/repo` → workflow file names that exist on its default branch: their ids and definitions. */
  readonly workflows = new Map<string, Map<string, { id: number; definition: Workflow }>>();
  /** Whether GitHub lists the run yet (list-workflow-runs): a run can show some time after its dispatch. */
  listed: (run: WorkflowRun) => boolean = () => true;
  /** Answer dispatches with 204 and no run, as a GitHub without run details does (the App then finds the run by name). */
  answerWithoutRun = false;
  /** Accept dispatches (204) and never show a run for them: a workflow GitHub does not start. */
  dropDispatches = false;
  /** Where webhook deliveries go (the harness sends them to the App); unset: none are sent. */
  onEvent: WorkflowEvent | undefined;
  readonly #api: OpenApi;
  readonly #installationId: () => number;
  readonly #storage = new Map<string, number>();
  #nextId = 700_000;
  #runNumber = 1;

  constructor(api: OpenApi, installationId: () => number) {
    this.#api = api;
    this.#installationId = installationId;
  }

  /** The workflow `file` on the repository's default branch; by default the documented caller. */
  addWorkflow(repo: string, file: string, definition: Workflow = readWorkflow(callerPath)): void {
    const files = this.workflows.get(repo) ?? new Map<string, { id: number; definition: Workflow }>();
    files.set(file, { id: this.#nextId++, definition });
    this.workflows.set(repo, files);
  }

  handlers(): Record<string, OperationHandler> {
    return {
      'actions/create-workflow-dispatch': (req) => this.#dispatch(req),
      'actions/list-workflow-runs': (req) => this.#listRuns(req),
      'actions/get-workflow-run': (req) => this.#getRun(req),
      'actions/list-jobs-for-workflow-run': (req) => this.#listJobs(req),
      'actions/list-workflow-run-artifacts': (req) => this.#listArtifacts(req),
      'actions/download-artifact': (req) => this.#download(req),
      'actions/cancel-workflow-run': (req) => this.#cancel(req),
    };
  }

  /** The runner protocol and artifact storage (outside the API prefix); undefined: not one of these paths. */
  route(method: string, path: string, body: Buffer): StandInResponse | undefined {
    if (method === 'GET' && path === '/_runner/jobs/next') return this.#nextJob();
    let m = /^\/_runner\/jobs\/(\d+)$/.exec(path);
    if (m && method === 'GET') {
      const job = this.#job(Number(m[1]));
      if (!job) return { status: 404, body: { message: 'no such job' } };
      return {
        status: 200,
        body: { status: job.status, cancelled: this.runs.get(job.runId)?.cancelRequested },
      };
    }
    // `…/overwrite`: upload-artifact's `overwrite: true`.
    m = /^\/_runner\/jobs\/(\d+)\/artifacts\/([\w.-]+)(\/overwrite)?$/.exec(path);
    if (m && method === 'PUT') return this.#upload(Number(m[1]), m[2] ?? '', body, m[3] !== undefined);
    m = /^\/_runner\/jobs\/(\d+)\/complete$/.exec(path);
    if (m && method === 'POST') {
      const { conclusion } = JSON.parse(body.toString('utf8')) as { conclusion: string };
      return this.#complete(Number(m[1]), conclusion);
    }
    m = /^\/_storage\/([0-9a-f]+)$/.exec(path);
    if (m && method === 'GET') {
      const artifactId = this.#storage.get(m[1] ?? '');
      const artifact = [...this.runs.values()].flatMap((r) => r.artifacts).find((a) => a.id === artifactId);
      if (!artifact) return { status: 404, text: 'BlobNotFound' };
      return { status: 200, bytes: artifact.data, contentType: 'application/zip' };
    }
    return undefined;
  }

  #dispatch(req: StandInRequest): StandInResponse {
    const repo = `${req.params.owner}/${req.params.repo}`;
    const workflow = req.params.workflow_id ?? '';
    const found = this.workflows.get(repo)?.get(workflow);
    if (found === undefined) return notFound();
    const workflowId = found.id;
    const body = req.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
    const inputs = Object.fromEntries(Object.entries(body.inputs ?? {}).map(([k, v]) => [k, String(v)]));
    const shards = Number(inputs.shards ?? '1');
    if (!Number.isInteger(shards) || shards < 1 || shards > 256) {
      return { status: 422, body: { message: `shards must be 1 to 256, not ${inputs.shards}` } };
    }
    if (this.dropDispatches) return { status: 204 };
    const id = this.#nextId++;
    const run: WorkflowRun = {
      id,
      repo,
      workflow,
      workflowId,
      ref: body.ref,
      inputs,
      // The caller workflow's `run-name: sigstorm ${{ inputs.sigstorm-job }}` (docs/github-actions.md).
      displayTitle: `sigstorm ${inputs['sigstorm-job'] ?? ''}`,
      runNumber: this.#runNumber++,
      createdAt: iso(),
      status: 'queued',
      conclusion: null,
      cancelRequested: false,
      groups: concurrencyGroups(found.definition, { repo, ref: body.ref, inputs }),
      cancelledBecause: null,
      attempt: 1,
      jobs: Array.from({ length: shards }, (_, i) => ({
        id: this.#nextId++,
        runId: id,
        // The reusable workflow's matrix job, as GitHub names it under the caller's job.
        name: `sigstorm / shard (${i + 1})`,
        shard: i + 1,
        status: 'queued' as const,
        conclusion: null,
        startedAt: null,
        completedAt: null,
      })),
      artifacts: [],
    };
    this.runs.set(id, run);
    this.#emitRun(run, 'requested');
    this.#enterGroups(run);
    if (!body.return_run_details || this.answerWithoutRun) return { status: 204 };
    return {
      status: 200,
      body: {
        workflow_run_id: id,
        run_url: `${req.apiUrl}/repos/${repo}/actions/runs/${id}`,
        html_url: `https://github.invalid/${repo}/actions/runs/${id}`,
      },
    };
  }

  #listRuns(req: StandInRequest): StandInResponse {
    const repo = `${req.params.owner}/${req.params.repo}`;
    const runs = [...this.runs.values()]
      .filter((r) => r.repo === repo && r.workflow === req.params.workflow_id && this.listed(r))
      .sort((a, b) => b.id - a.id);
    return {
      status: 200,
      body: { total_count: runs.length, workflow_runs: runs.map((r) => this.#runBody(r)) },
    };
  }

  #getRun(req: StandInRequest): StandInResponse {
    const run = this.#runOf(req);
    return run ? { status: 200, body: this.#runBody(run) } : notFound();
  }

  #listJobs(req: StandInRequest): StandInResponse {
    const run = this.#runOf(req);
    if (!run) return notFound();
    return {
      status: 200,
      body: { total_count: run.jobs.length, jobs: run.jobs.map((j) => this.#jobBody(run, j)) },
    };
  }

  #listArtifacts(req: StandInRequest): StandInResponse {
    const run = this.#runOf(req);
    if (!run) return notFound();
    const artifacts = run.artifacts.map((a) => ({
      ...this.#api.example('artifact'),
      id: a.id,
      node_id: `A_${a.id}`,
      name: a.name,
      size_in_bytes: a.data.length,
      url: `${req.apiUrl}/repos/${run.repo}/actions/artifacts/${a.id}`,
      archive_download_url: `${req.apiUrl}/repos/${run.repo}/actions/artifacts/${a.id}/zip`,
      expired: false,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      digest: null,
      workflow_run: { id: run.id, head_sha: run.inputs.head ?? '' },
    }));
    return { status: 200, body: { total_count: artifacts.length, artifacts } };
  }

  #download(req: StandInRequest): StandInResponse {
    const repo = `${req.params.owner}/${req.params.repo}`;
    const id = Number(req.params.artifact_id);
    const found = [...this.runs.values()].find(
      (r) => r.repo === repo && r.artifacts.some((a) => a.id === id),
    );
    if (!found || req.params.archive_format !== 'zip') return notFound();
    // A short-lived storage URL, as GitHub's redirect gives (no token needed, none sent).
    const key = randomBytes(12).toString('hex');
    this.#storage.set(key, id);
    const origin = new URL(req.apiUrl).origin;
    return { status: 302, headers: { location: `${origin}/_storage/${key}` } };
  }

  #cancel(req: StandInRequest): StandInResponse {
    const run = this.#runOf(req);
    if (!run) return notFound();
    if (run.status === 'completed') {
      return { status: 409, body: { message: 'Cannot cancel a workflow run that is completed.' } };
    }
    this.#cancelRun(run);
    return { status: 202, body: {} };
  }

  #cancelRun(run: WorkflowRun): void {
    run.cancelRequested = true;
    // Queued jobs never start; running ones are stopped by their runner, which reports them cancelled.
    for (const job of run.jobs.filter((j) => j.status === 'queued')) this.#finishJob(run, job, 'cancelled');
    this.#maybeComplete(run);
  }

  /**
   * A run (new, or re-run) takes its place in its concurrency groups: with cancel-in-progress it
   * cancels every other run of the group; without, it supersedes the group's pending run and waits
   * (pending) behind the one queued or in progress.
   */
  #enterGroups(run: WorkflowRun): void {
    const names = run.groups.map((g) => g.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) {
      run.cancelledBecause = `Canceling since a deadlock for concurrency group '${twice}' was detected between 'top level workflow' and 'sigstorm'`;
      this.#cancelRun(run);
      return;
    }
    for (const group of run.groups) {
      for (const other of this.runs.values()) {
        if (other === run || other.status === 'completed' || other.cancelRequested) continue;
        if (!other.groups.some((g) => g.name === group.name)) continue;
        if (group.cancelInProgress || other.status === 'pending') {
          other.cancelledBecause = `Canceling since a higher priority waiting request for '${group.name}' exists`;
          this.#cancelRun(other);
        } else if (run.status === 'queued') {
          run.status = 'pending';
        }
      }
    }
  }

  /** A run completed: a pending run of its groups whose groups are all free now is queued. */
  #releaseGroups(done: WorkflowRun): void {
    for (const run of this.runs.values()) {
      if (run.status !== 'pending') continue;
      if (!run.groups.some((g) => done.groups.some((d) => d.name === g.name))) continue;
      const held = [...this.runs.values()].some(
        (other) =>
          other !== run &&
          (other.status === 'queued' || other.status === 'in_progress') &&
          other.groups.some((g) => run.groups.some((r) => r.name === g.name)),
      );
      if (!held) run.status = 'queued';
    }
  }

  #nextJob(): StandInResponse {
    for (const run of this.runs.values()) {
      if (run.cancelRequested || run.status === 'pending') continue;
      const job = run.jobs.find((j) => j.status === 'queued');
      if (!job) continue;
      job.status = 'in_progress';
      job.startedAt = iso();
      if (run.status === 'queued') {
        run.status = 'in_progress';
        this.#emitRun(run, 'in_progress');
      }
      this.#emitJob(run, job, 'in_progress');
      const spec: RunnerJobSpec = {
        jobId: job.id,
        runId: run.id,
        repo: run.repo,
        ref: run.ref,
        attempt: run.attempt,
        shard: job.shard,
        shards: run.jobs.length,
        inputs: run.inputs,
      };
      return { status: 200, body: spec };
    }
    return { status: 204 };
  }

  /**
   * upload-artifact v4: artifacts are immutable, and a run keeps those of earlier attempts, so a
   * name that exists is refused (as GitHub answers it) unless the upload asks to overwrite it.
   */
  #upload(jobId: number, name: string, data: Buffer, overwrite: boolean): StandInResponse {
    const job = this.#job(jobId);
    const run = job && this.runs.get(job.runId);
    if (!job || !run || job.status !== 'in_progress')
      return { status: 409, body: { message: 'job not running' } };
    const existing = run.artifacts.findIndex((a) => a.name === name);
    if (existing >= 0 && !overwrite) {
      return {
        status: 409,
        text: 'Conflict: an artifact with this name already exists on the workflow run',
      };
    }
    if (existing >= 0) run.artifacts.splice(existing, 1);
    run.artifacts.push({ id: this.#nextId++, name, data, createdAt: iso() });
    return { status: 201, body: {} };
  }

  /**
   * "Re-run all jobs" (no `shard`) or "Re-run this job" in GitHub's interface: a new attempt of the
   * run whose jobs (all, or the one) are queued again; the artifacts of earlier attempts stay.
   */
  rerun(runId: number, shard?: number): void {
    const run = this.runs.get(runId);
    if (run?.status !== 'completed') throw new Error(`run ${runId} is not completed`);
    run.attempt += 1;
    run.status = 'queued';
    run.conclusion = null;
    run.cancelRequested = false;
    run.cancelledBecause = null;
    for (const job of run.jobs.filter((j) => shard === undefined || j.shard === shard)) {
      job.status = 'queued';
      job.conclusion = null;
      job.startedAt = null;
      job.completedAt = null;
    }
    this.#emitRun(run, 'requested');
    this.#enterGroups(run);
  }

  #complete(jobId: number, conclusion: string): StandInResponse {
    const job = this.#job(jobId);
    const run = job && this.runs.get(job.runId);
    if (!job || !run) return { status: 404, body: { message: 'no such job' } };
    if (job.status !== 'completed') this.#finishJob(run, job, run.cancelRequested ? 'cancelled' : conclusion);
    this.#maybeComplete(run);
    return { status: 200, body: {} };
  }

  #finishJob(run: WorkflowRun, job: RunnerJob, conclusion: string): void {
    job.status = 'completed';
    job.conclusion = conclusion;
    job.completedAt = iso();
    this.#emitJob(run, job, 'completed');
  }

  #maybeComplete(run: WorkflowRun): void {
    if (run.status === 'completed' || run.jobs.some((j) => j.status !== 'completed')) return;
    run.status = 'completed';
    run.conclusion = run.cancelRequested
      ? 'cancelled'
      : run.jobs.every((j) => j.conclusion === 'success')
        ? 'success'
        : 'failure';
    this.#emitRun(run, 'completed');
    this.#releaseGroups(run);
  }

  #runOf(req: StandInRequest): WorkflowRun | undefined {
    const run = this.runs.get(Number(req.params.run_id));
    return run && run.repo === `${req.params.owner}/${req.params.repo}` ? run : undefined;
  }

  #job(id: number): RunnerJob | undefined {
    return [...this.runs.values()].flatMap((r) => r.jobs).find((j) => j.id === id);
  }

  #runBody(run: WorkflowRun) {
    const body = this.#api.example('workflow-run');
    const api = `https://api.github.invalid/repos/${run.repo}/actions/runs/${run.id}`;
    return {
      ...body,
      id: run.id,
      name: 'sigstorm',
      node_id: `WFR_${run.id}`,
      head_branch: run.ref,
      run_number: run.runNumber,
      run_attempt: run.attempt,
      event: 'workflow_dispatch',
      display_title: run.displayTitle,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      path: `.github/workflows/${run.workflow}`,
      url: api,
      html_url: `https://github.invalid/${run.repo}/actions/runs/${run.id}`,
      jobs_url: `${api}/jobs`,
      artifacts_url: `${api}/artifacts`,
      cancel_url: `${api}/cancel`,
      created_at: run.createdAt,
      updated_at: iso(),
      pull_requests: [],
    };
  }

  #jobBody(run: WorkflowRun, job: RunnerJob) {
    const body = this.#api.example('job');
    return {
      ...body,
      id: job.id,
      run_id: run.id,
      node_id: `J_${job.id}`,
      name: job.name,
      run_attempt: run.attempt,
      status: job.status,
      conclusion: job.conclusion,
      started_at: job.startedAt ?? run.createdAt,
      completed_at: job.completedAt,
      steps: [],
      workflow_name: 'sigstorm',
      head_branch: run.ref,
      created_at: run.createdAt,
    };
  }

  #emitRun(run: WorkflowRun, action: string): void {
    if (!this.onEvent) return;
    const payload = webhookExample('workflow_run', 'completed');
    const [owner = '', name = ''] = run.repo.split('/');
    this.onEvent('workflow_run', {
      ...payload,
      action,
      installation: { id: this.#installationId(), node_id: 'I_standin' },
      repository: {
        ...payload.repository,
        name,
        full_name: run.repo,
        owner: { ...payload.repository.owner, login: owner },
      },
      workflow_run: { ...payload.workflow_run, ...this.#runBody(run) },
    });
  }

  #emitJob(run: WorkflowRun, job: RunnerJob, action: string): void {
    if (!this.onEvent) return;
    const payload = webhookExample('workflow_job', action === 'completed' ? 'completed' : 'in_progress');
    const [owner = '', name = ''] = run.repo.split('/');
    this.onEvent('workflow_job', {
      ...payload,
      action,
      installation: { id: this.#installationId(), node_id: 'I_standin' },
      repository: {
        ...payload.repository,
        name,
        full_name: run.repo,
        owner: { ...payload.repository.owner, login: owner },
      },
      workflow_job: { ...payload.workflow_job, ...this.#jobBody(run, job) },
    });
  }
}

/**
 * The concurrency groups a dispatch of `caller` holds: the caller's own `concurrency:` and, for its
 * job that calls validate.yml, the reusable workflow's, each evaluated as GitHub does (the reusable
 * one with the inputs the caller hands it; `github` is the dispatch's in both).
 */
export function concurrencyGroups(
  caller: Workflow,
  dispatch: { readonly repo: string; readonly ref: string; readonly inputs: Record<string, string> },
): ConcurrencyGroup[] {
  const own = Object.fromEntries(
    Object.entries(caller.on.workflow_dispatch?.inputs ?? {}).map(([k, v]) => [k, v.default ?? '']),
  );
  const github = {
    repository: dispatch.repo,
    ref: `refs/heads/${dispatch.ref}`,
    event_name: 'workflow_dispatch',
    event: { inputs: dispatch.inputs },
    workflow: caller.name ?? '',
  };
  const group = (workflow: Workflow, inputs: Record<string, unknown>): ConcurrencyGroup[] => {
    const c = workflow.concurrency;
    if (!c) return [];
    const context = { inputs, github };
    const cancel = c['cancel-in-progress'];
    return [
      {
        name: show(interpolate(c.group, context)),
        cancelInProgress:
          typeof cancel === 'string' ? interpolate(cancel, context) === true : cancel === true,
      },
    ];
  };
  const calls = Object.values(caller.jobs).some((j) => j.uses?.includes('/validate.yml@'));
  return [
    ...group(caller, { ...own, ...dispatch.inputs }),
    ...(calls ? group(readWorkflow(reusablePath), calledInputs(caller, dispatch.inputs)) : []),
  ];
}

function notFound(): StandInResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
}

function iso(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
