import { shortSha } from '../store/job.js';
import { codeSpan, noMentions } from './user-text.js';

/** Comments the app writes in answer to a slash command (never the report comment). */

/** The usage lines (from the command table) as a code block. */
const usageBlock = (usage: string) => `\`\`\`\n${usage}\n\`\`\``;

export function invalidCommandReply(
  user: string,
  text: string,
  problems: readonly string[],
  usage: string,
): string {
  // The command and the problems quote what the person wrote: never a mention, never loose Markdown.
  return [
    `@${user} sigstorm did not run ${codeSpan(text)}:`,
    '',
    ...problems.map((p) => `- ${noMentions(p)}`),
    '',
    'Usage:',
    usageBlock(usage),
  ].join('\n');
}

/** The help reply: usage and one entry per command, both from the command table, then the workloads. */
export function helpReply(
  user: string,
  usage: string,
  commandHelp: readonly string[],
  workloads: readonly string[],
): string {
  return [
    `@${user} sigstorm validates this pull request with signal storms on sanitizer builds.`,
    '',
    usageBlock(usage),
    '',
    ...commandHelp,
    '',
    `Workloads: ${workloads.length ? workloads.map((w) => `\`${w}\``).join(', ') : 'none found'}.`,
    'Variants: `plain`, `asan`, `tsan`. sigstorm answers people with write access only.',
  ].join('\n');
}

export function nothingToCancelReply(user: string): string {
  return `@${user} there is no queued or running sigstorm validation or bisection on this pull request to cancel.`;
}

/** `/sigstorm bisect` on a pull request with too few or too many commits to bisect here. */
export function cannotBisectReply(
  user: string,
  commits: number,
  range: { readonly min: number; readonly max: number },
): string {
  if (commits < range.min) {
    return [
      `@${user} sigstorm did not bisect: this pull request has ${commits === 1 ? 'one commit' : `${commits} commits`}, so there is nothing to bisect.`,
      "Its validation's verdict is already that commit's: `/sigstorm run` validates it again.",
    ].join('\n');
  }
  return [
    `@${user} sigstorm did not bisect: this pull request has ${commits} commits; the App bisects at most ${range.max}.`,
    'Bisect it on a machine of your own: `sigstorm bisect --repo <clone> --good <base> --bad <head>` (docs/bisect.md),',
    'or split the pull request.',
  ].join('\n');
}

/** `/sigstorm bisect` with no cells to storm: no validation of the head found a regression, none named. */
export function nothingToBisectReply(user: string, headSha: string): string {
  return [
    `@${user} sigstorm did not bisect: no validation of \`${shortSha(headSha)}\` found a stability regression, so it does not know which cells to storm.`,
    'Name them: `/sigstorm bisect workloads=a,b variants=plain` (`/sigstorm help` lists the workloads).',
  ].join('\n');
}
