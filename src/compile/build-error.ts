import { copyFile, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeTree, type TreeOrigin } from '../source/tree.js';
import { SigstormError } from '../util/errors.js';
import { makeDir } from '../util/make-dir.js';
import { firstBuildError } from './first-error.js';
import type { CommandFailure } from './run-logged.js';
import type { VariantName } from './variants.js';

export type BuildStep = 'bootstrap' | 'configure' | 'make' | 'binary';

const hints: Record<BuildStep, string> = {
  bootstrap:
    'Generating configure failed. Check that autoconf, automake and libtool are installed (`npm run setup`) and that the tree bootstraps by hand (`autoreconf -fi`).',
  configure:
    'configure failed. Its reason is in the log; config.log in the build directory has the details (a missing library or a compiler flag the toolchain rejects).',
  make: 'The tree does not compile in this variant. Fix the error on the first line (if a patch is applied, it may be what broke the build), then run again.',
  binary: 'Point sigstorm at the program with --binary <path inside the tree>.',
};

/**
 * Turns a failed build command into an error that leads with its cause: the first line is the
 * first compiler or linker error (when the log has one), then what failed (tree, variant, step,
 * command), then the kept log. The log is copied to `keepLogAt` because the build dir is discarded.
 */
export async function commandFailureError(
  failure: CommandFailure,
  context: { tree: TreeOrigin; variant?: VariantName; step: BuildStep; logFile: string; keepLogAt?: string },
): Promise<SigstormError> {
  let log = context.logFile;
  if (context.keepLogAt) {
    await makeDir(dirname(context.keepLogAt));
    await copyFile(context.logFile, context.keepLogAt);
    log = context.keepLogAt;
  }
  const text = await readFile(log, 'utf8');
  const cause = firstBuildError(text, failure.cwd);
  const variant = context.variant ? ` (variant ${context.variant})` : '';
  // The build dir is a temporary copy that is gone by now: the command names it by what it is.
  const command = failure.command.replaceAll(failure.cwd, '<build dir>');
  const what = `Build of ${describeTree(context.tree)}${variant} failed at ${context.step}: \`${command}\` ${failure.ending}`;
  return new SigstormError(cause ?? what, {
    details: [
      ...(cause ? [what] : []),
      `full log: ${log}`,
      // Without a compiler's error line, the end of the log is the best cause there is.
      ...(cause ? [] : ['--- last lines of the log ---', tail(text, 30)]),
    ].join('\n'),
    hint: hints[context.step],
    cause: failure,
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function binaryHint(): string {
  return hints.binary;
}
