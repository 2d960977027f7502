import type { CommentContext } from '../commands/command-context.js';
import { reply } from '../commands/command-context.js';
import { findCommand, usage } from '../commands/command-table.js';
import { parseComment } from '../commands/parse-command.js';
import { canWrite } from '../github/permission.js';
import { invalidCommandReply, refusalReply } from '../messages/replies.js';
import type { Services } from '../services.js';

/**
 * `/sigstorm …` in a new pull-request comment. Edited comments are not subscribed to (an edit must
 * not start a run again) and comments by bots are ignored (no loops with other bots, or with our own).
 */
export function onIssueComment(services: Services) {
  return async (context: CommentContext): Promise<void> => {
    const { comment, issue, sender, installation } = context.payload;
    if (sender.type === 'Bot' || !issue.pull_request || !installation) return;
    const parsed = parseComment(comment.body, await services.knownWorkloads());
    if (parsed.kind === 'none') return;
    const user = sender.login;
    if (parsed.kind === 'invalid') {
      await reply(context, invalidCommandReply(user, parsed.text, parsed.problems, usage()));
      return;
    }
    const { command, text } = parsed;
    const spec = findCommand(command.name);
    if (!spec) throw new Error(`parsed command "${command.name}" is not in the command table`);
    if (spec.needsWrite) {
      const { owner, repo } = context.repo();
      if (!(await canWrite(context.octokit, owner, repo, user))) {
        await reply(context, refusalReply(user, text));
        return;
      }
    }
    await spec.handle({ services, context, user, text, installationId: installation.id }, command);
  };
}
