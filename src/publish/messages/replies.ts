import { maxIterations } from '../../config/repo-config.schema.js';
import { usage } from '../commands/parse-command.js';

/** Comments the app writes in answer to a slash command (never the report comment). */

const usageBlock = `\`\`\`\n${usage}\n\`\`\``;

export function invalidCommandReply(user: string, text: string, problems: readonly string[]): string {
  return [
    `@${user} sigstorm did not run \`${text}\`:`,
    '',
    ...problems.map((p) => `- ${p}`),
    '',
    'Usage:',
    usageBlock,
  ].join('\n');
}

export function helpReply(user: string, workloads: readonly string[]): string {
  return [
    `@${user} sigstorm validates this pull request with signal storms on sanitizer builds.`,
    '',
    usageBlock,
    '',
    '- `run`: validate the current head against the base; arguments override `.github/sigstorm.yml`',
    `  (iterations per cell and side, at most ${maxIterations}). On a pull request from a fork or from an`,
    "  author without write access, a maintainer's `run` is also the approval to build its code.",
    '- `rerun`: run again with the settings of the last run.',
    '- `cancel`: stop the queued or running validation of this pull request.',
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
