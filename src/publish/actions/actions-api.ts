import { formatSize } from '../../util/size.js';
import type { Octokit } from '../github/octokit.js';

/**
 * The GitHub Actions endpoints the App uses with `executor: actions` (each needs the App's
 * `actions: write` permission, app.yml), as small functions over the installation client.
 */

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export interface RunState {
  readonly id: number;
  readonly status: string;
  readonly conclusion: string | null;
  readonly htmlUrl: string;
}

export interface ShardJob {
  readonly shard: number;
  readonly status: string;
  readonly conclusion: string | null;
  readonly name: string;
}

/**
 * `workflow_dispatch` of `workflow` on `ref` with `inputs`, asking GitHub for the run it created.
 * Returns null when the answer has no run (204: a GitHub that does not return run details); the
 * caller then finds the run by the correlation input in its name.
 */
export async function dispatchWorkflow(
  octokit: Octokit,
  where: RepoRef,
  workflow: string,
  ref: string,
  inputs: Record<string, string>,
): Promise<{ runId: number; htmlUrl: string } | null> {
  const response = await octokit.request(
    'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    { ...where, workflow_id: workflow, ref, inputs, return_run_details: true },
  );
  if (response.status !== 200) return null;
  const data = response.data as { workflow_run_id?: unknown; html_url?: unknown };
  if (typeof data.workflow_run_id !== 'number') return null;
  return { runId: data.workflow_run_id, htmlUrl: typeof data.html_url === 'string' ? data.html_url : '' };
}

/**
 * The dispatched run whose name carries `correlation` (the caller workflow's `run-name`), or the
 * first of several correlation ids that has one, if GitHub lists it yet; with the id it carries.
 */
export async function findRunByCorrelation(
  octokit: Octokit,
  where: RepoRef,
  workflow: string,
  correlation: string | readonly string[],
): Promise<(RunState & { readonly correlation: string }) | undefined> {
  const wanted = typeof correlation === 'string' ? [correlation] : correlation;
  const { data } = await octokit.rest.actions.listWorkflowRuns({
    ...where,
    workflow_id: workflow,
    event: 'workflow_dispatch',
    per_page: 100,
  });
  for (const id of wanted) {
    const run = data.workflow_runs.find((r) => (r.display_title ?? r.name ?? '').includes(id));
    if (run) {
      const { status, conclusion, html_url: htmlUrl } = run;
      return { id: run.id, status: status ?? 'queued', conclusion, htmlUrl, correlation: id };
    }
  }
  return undefined;
}

export async function getRun(octokit: Octokit, where: RepoRef, runId: number): Promise<RunState> {
  const { data } = await octokit.rest.actions.getWorkflowRun({ ...where, run_id: runId });
  return {
    id: data.id,
    status: data.status ?? 'queued',
    conclusion: data.conclusion,
    htmlUrl: data.html_url,
  };
}

/** The run's shard jobs (`… / shard (K)` in the reusable workflow's matrix), latest attempt. */
export async function listShardJobs(octokit: Octokit, where: RepoRef, runId: number): Promise<ShardJob[]> {
  const jobs = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
    ...where,
    run_id: runId,
    filter: 'latest',
    per_page: 100,
  });
  return jobs.flatMap((job) => {
    const match = /\bshard \((\d+)\)/.exec(job.name);
    return match
      ? [{ shard: Number(match[1]), status: job.status, conclusion: job.conclusion, name: job.name }]
      : [];
  });
}

export interface ArtifactInfo {
  readonly id: number;
  readonly name: string;
  readonly sizeInBytes: number;
  readonly expired: boolean;
}

export async function listArtifacts(
  octokit: Octokit,
  where: RepoRef,
  runId: number,
): Promise<ArtifactInfo[]> {
  const artifacts = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
    ...where,
    run_id: runId,
    per_page: 100,
  });
  return artifacts.map((a) => ({ id: a.id, name: a.name, sizeInBytes: a.size_in_bytes, expired: a.expired }));
}

/** An artifact GitHub or its storage will not give as a shard blob: its shard counts as missing. */
export class ArtifactRefused extends Error {}

/**
 * An artifact's zip, at most `maxBytes`. GitHub answers with a redirect to short-lived storage;
 * the App follows it itself, without its token, and stops reading past the limit.
 */
export async function downloadArtifact(
  octokit: Octokit,
  where: RepoRef,
  artifactId: number,
  maxBytes: number,
): Promise<Buffer> {
  const response = await octokit.request(
    'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
    { ...where, artifact_id: artifactId, archive_format: 'zip', request: { redirect: 'manual' } },
  );
  const location = (response.headers as Record<string, string | undefined>).location;
  if (response.status !== 302 || !location) {
    throw new Error(`GitHub answered ${response.status} without a download location`);
  }
  const storage = await fetch(location, { redirect: 'follow' });
  if (!storage.ok || !storage.body) throw new Error(`the artifact storage answered ${storage.status}`);
  const declared = Number(storage.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    throw new ArtifactRefused(`${formatSize(declared)}, more than the ${formatSize(maxBytes)} allowed`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of storage.body) {
    total += (chunk as Uint8Array).length;
    if (total > maxBytes) throw new ArtifactRefused(`more than the ${formatSize(maxBytes)} allowed`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/** Cancels a run; false when it had already completed (GitHub answers 409). */
export async function cancelRun(octokit: Octokit, where: RepoRef, runId: number): Promise<boolean> {
  try {
    await octokit.rest.actions.cancelWorkflowRun({ ...where, run_id: runId });
    return true;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'status' in error && error.status === 409)
      return false;
    throw error;
  }
}
