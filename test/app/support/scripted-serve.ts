import { startApp } from '../../../src/publish/server.js';
import { readServeEnv } from '../../../src/publish/setup/serve-env.js';
import { scriptedBisect, unscriptedBisect } from './scripted-bisect.js';
import { scriptedValidate } from './scripted-validate.js';

/**
 * `sigstorm serve` on a scripted validation (scripted-validate.ts), a scripted bisection
 * (scripted-bisect.ts) and short retry waits: the App as operators run it (a real process, its store,
 * its loops, real HTTP to the stand-in) minus the storms. SIGSTORM_TEST_SCRIPT is the validation
 * script (JSON); SIGSTORM_TEST_BISECT the bisection's (absent: none); SIGSTORM_TEST_RETRY the retry timing (JSON).
 * Run by AppProcess (app-process.ts) as one bundled file (serve-bundle.ts).
 */
const settings = readServeEnv(process.env);
const retry = process.env.SIGSTORM_TEST_RETRY;
const app = await startApp(
  { ...settings, app: { ...settings.app, ...(retry ? { retry: JSON.parse(retry) } : {}) } },
  scriptedValidate(JSON.parse(process.env.SIGSTORM_TEST_SCRIPT ?? '')),
  process.env.SIGSTORM_TEST_BISECT
    ? scriptedBisect(JSON.parse(process.env.SIGSTORM_TEST_BISECT))
    : unscriptedBisect,
);
let stopping = false;
const onSignal = () => {
  if (stopping) process.exit(130);
  stopping = true;
  app.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`scripted serve: error while stopping: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
