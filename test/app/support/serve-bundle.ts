import { join } from 'node:path';
import { cachedBundle } from '../../../bin/cached-bundle.js';
import { installRoot } from '../../../src/util/paths.js';

/**
 * The scripted App (scripted-serve.ts) as one JavaScript file, as bin/sigstorm.js runs the CLI
 * (bin/cached-bundle.js): started through tsx's loader, each App process resolved and compiled some
 * 300 sources and Probot's dependency tree anew. Kept in `.sigstorm/test-app/`, rebuilt when src/, the
 * test supports it imports or the package files change.
 */
let bundled: Promise<string> | undefined;

/** The path of the bundled scripted App, built first if its inputs changed. */
export function scriptedServeBundle(): Promise<string> {
  bundled ??= cachedBundle({
    root: installRoot,
    dir: 'test-app',
    name: 'scripted-serve',
    entry: join('test', 'app', 'support', 'scripted-serve.ts'),
    inputs: [
      'src',
      join('test', 'app', 'support'),
      join('test', 'support'),
      'package.json',
      'package-lock.json',
    ],
  });
  return bundled;
}
