import type { CheckAnnotation } from '../../report/annotations.js';
import { redact } from '../messages/redact.js';
import type { Job } from '../store/job.js';
import type { Octokit } from './octokit.js';

/** GitHub rejects a check-run summary or text longer than this. */
export const checkOutputLimit = 65_535;

export interface CheckOutput {
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
  /** At most 50 per request (GitHub's limit); GitHub adds them to the ones the run already has. */
  readonly annotations?: readonly CheckAnnotation[];
}

/** A button on the check run; GitHub limits label and identifier to 20 characters, description to 40. */
export interface CheckAction {
  readonly label: string;
  readonly description: string;
  readonly identifier: string;
}

export type CheckState =
  | { readonly status: 'queued'; readonly output: CheckOutput }
  /** `started`: the first in_progress update of a run, which sets started_at. */
  | { readonly status: 'in_progress'; readonly output: CheckOutput; readonly started?: boolean }
  | {
      readonly status: 'completed';
      readonly conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'action_required';
      readonly output: CheckOutput;
      readonly actions?: readonly CheckAction[];
    };

export const actionIds = {
  approve: 'approve-run',
  moreIterations: 'iterations-x10',
  bisect: 'bisect-commits',
} as const;

export async function createCheckRun(octokit: Octokit, job: Job, state: CheckState): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner: job.owner,
    repo: job.repo,
    name: job.checkName,
    head_sha: job.headSha,
    external_id: String(job.id),
    ...body(state),
    // Not retried blindly: a create whose answer was lost did happen; the caller's retry looks first.
    request: { retries: 0 },
  });
  return data.id;
}

/**
 * The job's check run: the one GitHub already has for it (found by `external_id`, the job id: a
 * create whose answer was lost did happen), else a new one. A retried handler never makes two.
 */
export async function ensureCheckRun(octokit: Octokit, job: Job, state: CheckState): Promise<number> {
  const found = await findCheckRun(octokit, job);
  return found ?? createCheckRun(octokit, job, state);
}

export function findCheckRun(octokit: Octokit, job: Job): Promise<number | undefined> {
  return findCheckRunByName(octokit, job.owner, job.repo, job.headSha, job.checkName, String(job.id));
}

/** A check run of this name on a commit (with this `external_id`, when given). */
export async function findCheckRunByName(
  octokit: Octokit,
  owner: string,
  repo: string,
  sha: string,
  name: string,
  externalId?: string,
): Promise<number | undefined> {
  const runs = octokit.paginate.iterator(octokit.rest.checks.listForRef, {
    owner,
    repo,
    ref: sha,
    check_name: name,
    filter: 'all',
    per_page: 100,
  });
  for await (const page of runs) {
    const match = page.data.find((run) => externalId === undefined || run.external_id === externalId);
    if (match) return match.id;
  }
  return undefined;
}

export async function updateCheckRun(octokit: Octokit, job: Job, state: CheckState): Promise<void> {
  if (job.checkRunId === null) throw new Error(`job ${job.id} has no check run to update`);
  await octokit.rest.checks.update({
    owner: job.owner,
    repo: job.repo,
    check_run_id: job.checkRunId,
    ...body(state),
  });
}

/**
 * Everything a check run shows passes the one filter here, whichever path built it (a result, a
 * failure, the repair pass completing a check later): title, summary, text and every annotation.
 */
function redactedOutput(output: CheckOutput): CheckOutput {
  return {
    title: redact(output.title),
    summary: redact(output.summary),
    ...(output.text === undefined ? {} : { text: redact(output.text) }),
    ...(output.annotations
      ? {
          annotations: output.annotations.map((a) => ({
            ...a,
            path: redact(a.path),
            title: redact(a.title),
            message: redact(a.message),
          })),
        }
      : {}),
  };
}

function body(state: CheckState) {
  const now = new Date().toISOString();
  const shown = redactedOutput(state.output);
  const { annotations, ...rest } = shown;
  const output = {
    ...rest,
    summary: truncate(shown.summary),
    ...(annotations && annotations.length > 0 ? { annotations: [...annotations] } : {}),
  };
  if (state.status !== 'completed') {
    return {
      status: state.status,
      output,
      ...(state.status === 'in_progress' && state.started ? { started_at: now } : {}),
    };
  }
  return {
    status: state.status,
    conclusion: state.conclusion,
    completed_at: now,
    output: shown.text === undefined ? output : { ...output, text: truncate(shown.text) },
    ...(state.actions ? { actions: [...state.actions] } : {}),
  };
}

/** Cuts Markdown to GitHub's limit, saying so, without splitting a surrogate pair. */
export function truncate(markdown: string, limit = checkOutputLimit): string {
  if (markdown.length <= limit) return markdown;
  const note = `\n\n… (truncated: the full report has ${markdown.length} characters, GitHub shows ${limit})`;
  // Room for the note and for closing a code fence and a few <details> the cut left open.
  let cut = markdown.slice(0, limit - note.length - 100);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const openFence = unclosedFence(cut);
  if (openFence) cut += `\n${openFence}`;
  const open = (cut.match(/<details>/g)?.length ?? 0) - (cut.match(/<\/details>/g)?.length ?? 0);
  cut += '\n</details>'.repeat(Math.max(0, Math.min(open, 7)));
  return `${cut}${note}`;
}

/** The fence a cut left open (fences may be longer than three backticks), or null. */
export function unclosedFence(markdown: string): string | null {
  let open: string | null = null;
  for (const line of markdown.split('\n')) {
    const ticks = /^\s*(`{3,})/.exec(line)?.[1];
    if (ticks === undefined) continue;
    if (open === null) open = ticks;
    else if (ticks.length >= open.length && line.trim() === ticks) open = null;
  }
  return open;
}
