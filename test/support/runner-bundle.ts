import { join } from 'node:path';
import { cachedBundle } from '../../bin/cached-bundle.js';
import { installRoot } from '../../src/util/paths.js';

/**
 * The test runner of GitHub Actions jobs (actions-runner.ts) as one JavaScript file, as the scripted
 * App is (test/app/support/serve-bundle.ts): started through tsx's loader, each runner compiled its
 * sources anew (some 4 s of a loaded machine per test). Kept in `.sigstorm/test-app/`, rebuilt when
 * src/, test/support/ or the package files change.
 */
let bundled: Promise<string> | undefined;

/** The path of the bundled runner, built first if its inputs changed. */
export function actionsRunnerBundle(): Promise<string> {
  bundled ??= cachedBundle({
    root: installRoot,
    dir: 'test-app',
    name: 'actions-runner',
    entry: join('test', 'support', 'actions-runner.ts'),
    inputs: ['src', join('test', 'support'), 'package.json', 'package-lock.json'],
  });
  return bundled;
}
