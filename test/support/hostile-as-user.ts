/**
 * Run by test/sandbox/hostile-non-root.test.ts as an unprivileged user (`setpriv --reuid`): one
 * hostile build (a Makefile) and one hostile storm program, through the real builder step and storm
 * launcher, in a cache that user owns. Prints what each saw as one JSON line; the test, as root,
 * judges it and the host.
 *
 *   node --import tsx test/support/hostile-as-user.ts CACHE
 *
 * CACHE/builds/key/tree/src holds the storm's program (`iperf3`) and a `capcat` with a file capability.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandFailure, runLogged } from '../../src/compile/run-logged.js';
import { openLauncher } from '../../src/sandbox/launcher.js';
import { defaultSandbox } from '../../src/sandbox/sandbox.schema.js';
import { startSide } from '../../src/storm/side-process.js';
import { canaryScript } from './host-path-canary.js';
import { buildOnlyLines, hostileLines } from './hostile-attempts.js';

async function main(cache: string): Promise<void> {
  process.env.SIGSTORM_CACHE_DIR = cache;
  const tree = join(cache, 'builds', 'hostile.tmp', 'tree');
  await mkdir(tree, { recursive: true });
  await writeFile(join(tree, 'canary.sh'), canaryScript);
  const recipe = [...hostileLines, ...buildOnlyLines, 'sh ./canary.sh'].map((line) =>
    line.replaceAll('$', '$$'),
  );
  await writeFile(join(tree, 'Makefile'), `all:\n${recipe.map((line) => `\t${line}\n`).join('')}`);
  const logFile = join(tree, '..', 'build.log');
  let buildFailure: string | null = null;
  try {
    await runLogged('make', ['-s'], { cwd: tree, logFile, sandbox: defaultSandbox });
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    buildFailure = error.message;
  }
  const buildLog = await readFile(logFile, 'utf8');

  const programDir = join(cache, 'builds', 'key', 'tree', 'src');
  const launcher = await openLauncher(defaultSandbox, { programDir });
  let storm: { exitCode: number | null; stdout: string; stderr: string };
  try {
    const side = startSide({
      side: 'server',
      binary: join(programDir, 'iperf3'),
      args: ['-s'],
      cpus: '0',
      env: {},
      launcher,
    });
    const exit = await side.exited;
    storm = { exitCode: exit.exitCode, stdout: exit.stdout, stderr: exit.stderr };
  } finally {
    await launcher.close();
  }
  process.stdout.write(`${JSON.stringify({ uid: process.getuid?.(), buildFailure, buildLog, storm })}\n`);
}

const cache = process.argv[2];
if (cache === undefined) throw new Error('usage: hostile-as-user.ts CACHE');
await main(cache);
