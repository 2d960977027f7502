import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { readServeEnv } from '../../publish/setup/serve-env.js';
import { probeSandbox } from '../../sandbox/probe.js';
import { SigstormError } from '../../util/errors.js';
import { secureCacheRoot } from '../../util/secure-cache-root.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the sigstorm GitHub App (Probot HTTP server): checks and one report comment on pull requests, ' +
        'slash commands, release gating. Configured by the environment: see docs/github-app.md.',
    )
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm serve                     # settings from the environment or ./.env',
          'APP_ID=123 PRIVATE_KEY_PATH=app.pem WEBHOOK_SECRET=$(cat secret) sigstorm serve',
        ],
        doc: 'github-app.md',
        exit: `Exit status: ${exitCodes.ok} stopped by SIGTERM/SIGINT after the running job was requeued, ${exitCodes.badInput} bad settings, ${exitCodes.couldNotRun} could not start (no sandbox included).`,
      }),
    )
    .action(serve);
}

async function serve(): Promise<void> {
  // Probot apps read a .env file in the working directory; variables already set win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const settings = readServeEnv(process.env);
  // Pull requests' code runs only in a sandbox: without one the App does not start at all.
  const probe = await probeSandbox();
  if (!probe.ok) {
    throw new SigstormError(
      "sigstorm serve refuses to start: it runs pull requests' code only in a sandbox, and none can be created here.",
      {
        details: [probe.error.message, probe.error.details].filter(Boolean).join('\n'),
        hint: probe.error.hint,
      },
    );
  }
  await secureCacheRoot();
  process.stderr.write('sigstorm serve: builds and storms run in a bubblewrap sandbox\n');
  // The one pipeline, the same the CLI runs (startApp takes any Validate and Bisect: the injection point).
  // Loaded here, not at the top: every other command starts without Probot and the pipeline.
  const [{ validate }, { bisect }, { startApp }] = await Promise.all([
    import('../../pipeline/validate.js'),
    import('../../pipeline/bisect/bisect.js'),
    import('../../publish/server.js'),
  ]);
  const app = await startApp(settings, validate, bisect);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`sigstorm serve: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`sigstorm serve: ${signal}: stopping (a running job goes back to the queue)\n`);
      app.stop().then(resolve, (error: unknown) => {
        process.stderr.write(`sigstorm serve: error while stopping: ${String(error)}\n`);
        process.exit(1);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
