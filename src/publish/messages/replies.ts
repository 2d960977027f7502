/** Comments the app writes in answer to a slash command (never the report comment). */

/** The usage lines (from the command table) as a code block. */
const usageBlock = (usage: string) => `\`\`\`\n${usage}\n\`\`\``;

export function invalidCommandReply(
  user: string,
  text: string,
  problems: readonly string[],
  usage: string,
): string {
  return [
    `@${user} sigstorm did not run \`${text}\`:`,
    '',
    ...problems.map((p) => `- ${p}`),
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
    'Variants: `plain`, `asan`, `tsan`. Only people with write access can run or cancel.',
  ].join('\n');
}

export function refusalReply(user: string, command: string): string {
  return [
    `@${user} thank you for asking! \`${command}\` can only be used by people with write, maintain or`,
    "admin permission on this repository, because it builds and runs code on the maintainers' machine.",
    'A maintainer can start a run for you.',
  ].join('\n');
}

export function nothingToCancelReply(user: string): string {
  return `@${user} there is no queued or running sigstorm validation on this pull request to cancel.`;
}
