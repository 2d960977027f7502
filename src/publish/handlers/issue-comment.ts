import type { CommandContext, CommentContext } from '../commands/command-context.js';
import { react, reply } from '../commands/command-context.js';
import { findCommand, usage } from '../commands/command-table.js';
import { parseComment } from '../commands/parse-command.js';
import { canWrite } from '../github/permission.js';
import { invalidCommandReply } from '../messages/replies.js';
import type { Services } from '../services.js';

/**
 * `/sigstorm …` in a new pull-request comment. Edited comments are not subscribed to (an edit must
 * not start a run again) and comments by bots are ignored (no loops with other bots, or with our own).
 * The bot speaks only to people with write access: anyone else's command gets a reaction, no reply.
 */
export function onIssueComment(services: Services) {
  return async (context: CommentContext): Promise<void> => {
    const { comment, issue, sender, installation } = context.payload;
    if (sender.type === 'Bot' || !issue.pull_request || !installation) return;
    const parsed = parseComment(comment.body, await services.knownWorkloads());
    if (parsed.kind === 'none') return;
    const user = sender.login;
    const { owner, repo } = context.repo();
    const ctx: CommandContext = {
      services,
      context,
      user,
      text: parsed.text,
      installationId: installation.id,
      target: { owner, repo, issueNumber: issue.number, deliveryId: context.id, commentId: comment.id },
    };
    if (!(await canWrite(context.octokit, owner, repo, user))) {
      await react(ctx, 'confused');
      return;
    }
    if (parsed.kind === 'invalid') {
      await reply(ctx, invalidCommandReply(user, parsed.text, parsed.problems, usage()));
      return;
    }
    const spec = findCommand(parsed.command.name);
    if (!spec) throw new Error(`parsed command "${parsed.command.name}" is not in the command table`);
    await spec.handle(ctx, parsed.command);
  };
}
