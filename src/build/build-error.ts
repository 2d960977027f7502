import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeTree, type TreeOrigin } from '../source/tree.js';
import { SigstormError } from '../util/errors.js';
import type { CommandFailure } from './run-logged.js';
import type { VariantName } from './variants.js';

export type BuildStep = 'bootstrap' | 'configure' | 'make' | 'binary';

const hints: Record<BuildStep, string> = {
  bootstrap:
    'Generating configure failed. Check that autoconf, automake and libtool are installed (`npm run setup`) and that the tree bootstraps by hand (`autoreconf -fi`).',
  configure:
    'configure failed. Its reason is in the log above; config.log in the build directory has the details (a missing library or a compiler flag the toolchain rejects).',
  make: 'The tree does not compile in this variant. Fix the error shown above (if a patch is applied, it may be what broke the build), then run again.',
  binary: 'Point sigstorm at the program with --binary <path inside the tree>.',
};

/**
 * Turns a failed build command into an error that names the tree, the variant, the command and the
 * last lines of its log. The log is kept at `keepLogAt` because the failed build dir is discarded.
 */
export async function commandFailureError(
  failure: CommandFailure,
  context: { tree: TreeOrigin; variant?: VariantName; step: BuildStep; logFile: string; keepLogAt?: string },
): Promise<SigstormError> {
  let log = context.logFile;
  if (context.keepLogAt) {
    await mkdir(dirname(context.keepLogAt), { recursive: true });
    await copyFile(context.logFile, context.keepLogAt);
    log = context.keepLogAt;
  }
  const tail = await logTail(log, 30);
  const variant = context.variant ? ` (variant ${context.variant})` : '';
  return new SigstormError(
    `Build of ${describeTree(context.tree)}${variant} failed at ${context.step}: \`${failure.command}\` ${failure.ending}`,
    {
      details: [
        `command: ${failure.command}`,
        `in: ${failure.cwd}`,
        `full log: ${log}`,
        '--- last lines of the log ---',
        tail,
      ].join('\n'),
      hint: hints[context.step],
      cause: failure,
    },
  );
}

export async function logTail(path: string, lines: number): Promise<string> {
  const text = await readFile(path, 'utf8');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function binaryHint(): string {
  return hints.binary;
}
