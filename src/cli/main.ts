import { Command, CommanderError } from 'commander';
import { describeError, UsageError } from '../util/errors.js';
import { registerBisect } from './commands/bisect.js';
import { registerBuild } from './commands/build.js';
import { registerDemo } from './commands/demo.js';
import { registerMerge } from './commands/merge.js';
import { registerRepro } from './commands/repro.js';
import { registerServe } from './commands/serve.js';
import { registerStorm } from './commands/storm.js';
import { registerValidate } from './commands/validate.js';
import { exitCodes } from './exit-codes.js';
import { topLevelHelp } from './help-text.js';
import { wasInterrupted } from './interrupt.js';
import { parserErrorLine } from './parser-error.js';

const program = new Command('sigstorm')
  .description('Signal-storm patch validation for iperf3 forks')
  .version('0.1.0')
  // Parser errors are printed by the catch below as one line and a pointer to --help.
  .configureOutput({ outputError: () => {} })
  .exitOverride()
  .addHelpText('after', topLevelHelp);

registerBuild(program);
registerServe(program);
registerStorm(program);
registerValidate(program);
registerMerge(program);
registerRepro(program);
registerBisect(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end as "errors" under exitOverride; so does help shown for a missing command.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
    if (error.code !== 'commander.help') process.stderr.write(`${parserErrorLine(program, error)}\n`);
    process.exit(exitCodes.badInput);
  }
  if (wasInterrupted()) {
    process.stderr.write(
      'sigstorm: interrupted (its processes were stopped; unfinished clones and builds removed)\n',
    );
    process.exit(exitCodes.interrupted);
  }
  process.stderr.write(`sigstorm: ${describeError(error)}\n`);
  process.exit(error instanceof UsageError ? exitCodes.badInput : exitCodes.couldNotRun);
}
if (wasInterrupted() && !process.exitCode) process.exitCode = exitCodes.interrupted;
