import { join } from 'node:path';
import { cachedBundle } from '../../bin/cached-bundle.js';
import { installRoot } from '../../src/util/paths.js';

/**
 * A test process's entry (the scripted App, the Actions runner) as one JavaScript file, as
 * bin/sigstorm.js runs the CLI (bin/cached-bundle.js): started through tsx's loader, each process
 * resolved and compiled some 300 sources anew (~4 s of a loaded machine). Kept in
 * `.sigstorm/test-app/`, rebuilt when src/, the given test folders or the package files change.
 */
const bundles = new Map<string, Promise<string>>();

/** The path of the bundle named `name` of `entry` (relative to the repository), built first if its inputs changed. */
export function testBundle(name: string, entry: string, testInputs: readonly string[]): Promise<string> {
  let bundled = bundles.get(name);
  if (!bundled) {
    bundled = cachedBundle({
      root: installRoot,
      dir: 'test-app',
      name,
      entry,
      inputs: ['src', ...testInputs, 'package.json', 'package-lock.json'],
    });
    bundles.set(name, bundled);
  }
  return bundled;
}

/** The test runner of GitHub Actions jobs (actions-runner.ts). */
export const actionsRunnerBundle = (): Promise<string> =>
  testBundle('actions-runner', join('test', 'support', 'actions-runner.ts'), [join('test', 'support')]);
