import { Command, CommanderError } from 'commander';
import { describeError, UsageError } from '../util/errors.js';
import { registerBuild } from './commands/build.js';
import { registerDemo } from './commands/demo.js';
import { registerServe } from './commands/serve.js';
import { registerStorm } from './commands/storm.js';
import { registerValidate } from './commands/validate.js';

const program = new Command('sigstorm')
  .description('Signal-storm patch validation for iperf3 forks')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerBuild(program);
registerServe(program);
registerStorm(program);
registerValidate(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`sigstorm: ${describeError(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
