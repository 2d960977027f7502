/**
 * Text that came from a person (a comment, a command's arguments) and goes back into the app's own
 * comments: it must never mention anyone (`@octo-org/security` would notify a team) nor break out
 * of the Markdown around it.
 */

/** A zero-width space after every `@`: GitHub no longer sees a mention; readers see the same text. */
export function noMentions(text: string): string {
  return text.replace(/@/g, '@\u200b');
}

/** One line of user text as an inline code span, whatever backticks or line breaks it holds, without mentions. */
export function codeSpan(text: string): string {
  const line = noMentions(text.replace(/[\r\n]+/g, ' ').slice(0, 200));
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // A span starting or ending with a backtick needs a space inside its fence.
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}
