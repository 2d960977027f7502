import { commandLines } from './command-lines.js';
import { type CommandArguments, type CommandSpec, findCommand } from './command-table.js';

/** A slash command from a pull-request comment: a row of the command table with its arguments. */
export type SlashCommand = { readonly name: CommandSpec['name'] } & CommandArguments;

export type ParsedComment =
  | { readonly kind: 'none' }
  | { readonly kind: 'command'; readonly command: SlashCommand; readonly text: string }
  | { readonly kind: 'invalid'; readonly text: string; readonly problems: readonly string[] };

const commandLine = /^[ \t]*\/sigstorm\b(.*)$/m;

/**
 * Finds the first `/sigstorm …` line of a comment and validates it against the command table.
 * Comments without one are not commands (`none`), so ordinary discussion is never answered.
 */
export function parseComment(body: string, knownWorkloads: readonly string[]): ParsedComment {
  // Only prose counts: a command quoted or shown in code is nobody's request.
  const match = commandLines(body)
    .map((line) => commandLine.exec(line))
    .find((found) => found !== null);
  if (!match) return { kind: 'none' };
  const text = match[0].trim();
  const [name = '', ...args] = (match[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const spec = findCommand(name);
  if (!spec) {
    const problem = name ? `unknown command "${name}"` : 'a command is missing after /sigstorm';
    return { kind: 'invalid', text, problems: [problem] };
  }
  if (!spec.arguments) {
    if (args.length > 0) return { kind: 'invalid', text, problems: [`"${name}" takes no arguments`] };
    return { kind: 'command', command: { name }, text };
  }
  const pairs: Record<string, string> = {};
  const problems: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      problems.push(`"${arg}" is not key=value`);
      continue;
    }
    const key = arg.slice(0, eq);
    if (key in pairs) problems.push(`${key} is given twice`);
    pairs[key] = arg.slice(eq + 1);
  }
  const result = spec.arguments(knownWorkloads).safeParse(pairs);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(
        issue.code === 'unrecognized_keys'
          ? `unknown argument ${issue.keys.join(', ')} (arguments: ${argumentNames(spec)})`
          : issue.message,
      );
    }
  }
  if (problems.length > 0 || !result.success) return { kind: 'invalid', text, problems };
  const { workloads, variants, iterations } = result.data;
  return {
    kind: 'command',
    text,
    command: {
      name,
      ...(workloads ? { workloads } : {}),
      ...(variants ? { variants } : {}),
      ...(iterations !== undefined ? { iterations } : {}),
    },
  };
}

/** The argument keys of a command, as its usage line names them. */
function argumentNames(spec: CommandSpec): string {
  return [...spec.usage.matchAll(/\[(\w+)=/g)].map((m) => m[1]).join(', ');
}
