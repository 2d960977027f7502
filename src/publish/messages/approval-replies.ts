import type { HeadCheck } from '../jobs/approval.js';
import { shortSha } from '../store/job.js';

/** `/sigstorm run` refused because the comment cannot have seen the head it would run. */
export function headMovedReply(user: string, headSha: string, check: HeadCheck & { ok: false }): string {
  const head = `\`${shortSha(headSha)}\``;
  switch (check.why) {
    case 'moved':
      return [
        `@${user} sigstorm did not run: the pull request's head moved to ${head} (pushed ${check.pushedAt})`,
        'after your comment was written, so the comment approves nothing newer than what you read.',
        `Review ${head}, then comment \`/sigstorm run\` again.`,
      ].join('\n');
    case 'unseen':
      return [
        `@${user} sigstorm did not run: it has not yet seen commit ${head} arrive on this pull request, so it`,
        `cannot tell whether your comment was written after it. Comment \`/sigstorm run\` again once ${head} has its`,
        '`sigstorm` check.',
      ].join('\n');
    default: {
      const never: never = check;
      throw new Error(`unknown head check ${JSON.stringify(never)}`);
    }
  }
}

export function nothingApprovedReply(user: string): string {
  return `@${user} there is no approved run of this pull request to repeat yet: use \`/sigstorm run\` to run its head.`;
}
