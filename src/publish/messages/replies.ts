import { maxIterations } from '../../config/repo-config.schema.js';
import { usage } from '../commands/parse-command.js';
import { codeSpan, noMentions } from './user-text.js';

/** Comments the app writes in answer to a slash command (never the report comment). */

const usageBlock = `\`\`\`\n${usage}\n\`\`\``;

export function invalidCommandReply(user: string, text: string, problems: readonly string[]): string {
  // The command and the problems quote what the person wrote: never a mention, never loose Markdown.
  return [
    `@${user} sigstorm did not run ${codeSpan(text)}:`,
    '',
    ...problems.map((p) => `- ${noMentions(p)}`),
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
    "  author without write access, a maintainer's `run` approves the head that was there when the comment was written.",
    '- `rerun`: run the last approved commit again, with the settings of its run.',
    '- `cancel`: stop the queued or running validation of this pull request.',
    '',
    `Workloads: ${workloads.length ? workloads.map((w) => `\`${w}\``).join(', ') : 'none found'}.`,
    'Variants: `plain`, `asan`, `tsan`. sigstorm answers people with write access only.',
  ].join('\n');
}

export function nothingToCancelReply(user: string): string {
  return `@${user} there is no queued or running sigstorm validation on this pull request to cancel.`;
}
