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
  return `@${user} there is no queued or running sigstorm validation on this pull request to cancel.`;
}
