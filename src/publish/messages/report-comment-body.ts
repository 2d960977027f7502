import { reportMarker } from '../github/report-comment.js';
import { type Job, shortSha } from '../store/job.js';

/** The body of the one report comment: the report, then a footer saying which commits it is about. */
export function reportComment(job: Job, markdown: string): string {
  const body = markdown.includes(reportMarker) ? markdown : `${reportMarker}\n${markdown}`;
  return `${body}\n\n---\n${footer(job)}`;
}

/** The report comment when the run could not finish for a reason in the pull request itself. */
export function errorComment(job: Job, summary: string): string {
  return [
    reportMarker,
    `### sigstorm could not validate \`${shortSha(job.headSha)}\``,
    '',
    '<details><summary>What went wrong</summary>',
    '',
    summary,
    '',
    '</details>',
    '',
    '---',
    footer(job),
  ].join('\n');
}

function footer(job: Job): string {
  return `<sub>sigstorm · head \`${shortSha(job.headSha)}\` · base \`${shortSha(job.baseSha)}\` · ${job.trigger} by @${job.requestedBy} · updated ${new Date().toISOString()}</sub>`;
}

/** Where a bisection's answer sits in the report comment: after the validation's report, replaced by the next. */
export const bisectSectionMarkers = {
  start: '<!-- sigstorm-bisect -->',
  end: '<!-- /sigstorm-bisect -->',
} as const;

/** A bisection's section of the report comment: its Markdown, then which commits it is about. */
export function bisectSection(job: Job, markdown: string): string {
  return `${markdown.trimEnd()}\n\n<sub>sigstorm bisect · commits \`${shortSha(job.baseSha)}\`..\`${shortSha(job.headSha)}\` · ${job.trigger} by @${job.requestedBy} · updated ${new Date().toISOString()}</sub>`;
}
