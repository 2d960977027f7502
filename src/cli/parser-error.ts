import type { Command, CommanderError } from 'commander';

/**
 * commander's message for a command line it could not parse, as one line naming the command, with
 * its "Did you mean" folded in, and then the command that shows the help (not the help itself).
 */
export function parserErrorLine(program: Command, error: CommanderError): string {
  const command = commandNamed(program, process.argv.slice(2));
  const what = error.message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')
    .replaceAll('\n', ' ');
  const help = command ? `sigstorm ${command.name()} --help` : 'sigstorm --help';
  return `sigstorm${command ? ` ${command.name()}` : ''}: ${what}\nRun \`${help}\` for the options and examples.`;
}

/** The subcommand a command line names: the first word that is one (options of the program come before it). */
function commandNamed(program: Command, args: readonly string[]): Command | undefined {
  const first = args.find((arg) => !arg.startsWith('-'));
  return program.commands.find((command) => command.name() === first);
}
