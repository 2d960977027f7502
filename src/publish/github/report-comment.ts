import { redact } from '../messages/redact.js';
import { truncate } from './check-run.js';
import type { Octokit } from './octokit.js';

/** The hidden marker that identifies sigstorm's one report comment on a pull request. */
export const reportMarker = '<!-- sigstorm-report -->';

/** GitHub rejects an issue comment body longer than this. */
const commentLimit = 65_536;

export interface PullRef {
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number;
}

/**
 * Writes the report into the pull request's one sigstorm comment: the comment carrying the marker,
 * written by a bot (the marker is found, never a login), is edited in place; without one, it is created
 * unless `create` is false (then nothing is written and the result is null).
 */
export async function upsertReportComment(
  octokit: Octokit,
  pull: PullRef,
  markdown: string,
  { create = true }: { readonly create?: boolean } = {},
): Promise<{ id: number; created: boolean } | null> {
  // The one filter again, whoever wrote the markdown: nothing reaches the comment unredacted.
  const shown = redact(markdown);
  const body = truncate(shown.includes(reportMarker) ? shown : `${reportMarker}\n${shown}`, commentLimit);
  const existing = (await findReport(octokit, pull))?.id;
  if (existing !== undefined) {
    await octokit.rest.issues.updateComment({
      owner: pull.owner,
      repo: pull.repo,
      comment_id: existing,
      body,
    });
    return { id: existing, created: false };
  }
  if (!create) return null;
  const { data } = await octokit.rest.issues.createComment({
    owner: pull.owner,
    repo: pull.repo,
    issue_number: pull.pullNumber,
    body,
    // Not retried blindly: a retry of the whole upsert finds the comment by its marker first.
    request: { retries: 0 },
  });
  return { id: data.id, created: true };
}

export async function findReportComment(octokit: Octokit, pull: PullRef): Promise<number | undefined> {
  return (await findReport(octokit, pull))?.id;
}

/**
 * Writes `section` into the report comment, in place of the section with the same markers if there
 * is one, else after what the comment holds (the validation's report); without a comment, one holding
 * only the section. The rest of the comment is left as it is.
 */
export async function upsertReportSection(
  octokit: Octokit,
  pull: PullRef,
  markers: { readonly start: string; readonly end: string },
  section: string,
): Promise<void> {
  const existing = await findReport(octokit, pull);
  const block = `${markers.start}\n${section}\n${markers.end}`;
  const before = existing?.body ?? reportMarker;
  const start = before.indexOf(markers.start);
  const end = before.indexOf(markers.end, start);
  const body =
    start >= 0 && end >= 0
      ? `${before.slice(0, start)}${block}${before.slice(end + markers.end.length)}`
      : `${before.trimEnd()}\n\n${block}`;
  // The one filter, and the limit, as for the whole report.
  const shown = truncate(redact(body), commentLimit);
  if (existing !== undefined) {
    await octokit.rest.issues.updateComment({
      owner: pull.owner,
      repo: pull.repo,
      comment_id: existing.id,
      body: shown,
    });
    return;
  }
  await octokit.rest.issues.createComment({
    owner: pull.owner,
    repo: pull.repo,
    issue_number: pull.pullNumber,
    body: shown,
    request: { retries: 0 },
  });
}

async function findReport(
  octokit: Octokit,
  pull: PullRef,
): Promise<{ id: number; body: string } | undefined> {
  const comments = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: pull.owner,
    repo: pull.repo,
    issue_number: pull.pullNumber,
    per_page: 100,
  });
  for await (const page of comments) {
    for (const comment of page.data) {
      // A person quoting the report copies its text, not the hidden HTML comment; bots only, to be sure.
      if (comment.user?.type === 'Bot' && comment.body?.includes(reportMarker))
        return { id: comment.id, body: comment.body };
    }
  }
  return undefined;
}
