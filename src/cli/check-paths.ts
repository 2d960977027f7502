import { constants } from 'node:fs';
import { access, mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { isErrno } from '../util/file-lock.js';

/**
 * The paths a user names, checked before any work: a run that could not write its report, bundle
 * or blob would find out only at its end. Nothing is left behind by a check (a probe directory is
 * removed again), so bad input still leaves no output folder.
 */

/**
 * A file the command will write (`--json-file`, `--sarif`, `--blob`): its folder must take it.
 * `makesParent`: the command makes a missing folder itself (`storm --out`), so it need only be makeable.
 */
export async function checkOutputFile(file: string, flag: string, makesParent = false): Promise<void> {
  const path = resolve(file);
  const here = await stat(path).catch(() => undefined);
  if (here?.isDirectory()) {
    throw new UsageError(`Cannot write ${flag} ${file}: it is a directory`, {
      hint: `Give ${flag} the path of a file.`,
    });
  }
  const dir = dirname(path);
  if (makesParent) return checkOutputDir(dir, flag, file);
  const parent = await stat(dir).catch(() => undefined);
  const writable =
    parent?.isDirectory() &&
    (await access(dir, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (!writable) {
    throw new UsageError(
      `Cannot write ${file}: ${dir} is not a writable directory${parent && !parent.isDirectory() ? ' (it is a file)' : ''}`,
      { hint: `Give ${flag} a file in an existing directory you can write to.` },
    );
  }
}

/**
 * A directory the command will make or fill (`--out`, `--repro-dir`): it is one, or it can be made.
 * The first missing level is made and removed again, so the kernel itself answers (a file in the
 * way, a read-only or pseudo file system such as /proc).
 */
export async function checkOutputDir(dir: string, flag: string, named = dir): Promise<void> {
  const path = resolve(dir);
  const fail = (why: string): never => {
    throw new UsageError(`Cannot use ${flag} ${named}: ${why}`, {
      hint:
        named === dir
          ? `Give ${flag} a directory you can write to, or a new one in such a directory.`
          : `Give ${flag} a file in a directory you can write to.`,
    });
  };
  let missing: string | undefined;
  let at = path;
  for (;;) {
    const info = await stat(at).catch((error: unknown) => {
      // Missing, or a file in the way (ENOTDIR): the walk up finds which.
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
      return fail(`${at} cannot be read (${errnoOf(error)})`);
    });
    if (info) {
      if (!info.isDirectory()) fail(at === path && named === dir ? 'it is a file' : `${at} is a file`);
      break;
    }
    missing = at;
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (missing === undefined) {
    if (
      !(await access(path, constants.W_OK).then(
        () => true,
        () => false,
      ))
    )
      fail('it is not writable');
    return;
  }
  try {
    await mkdir(missing);
  } catch (error) {
    return fail(`${missing} cannot be made (${errnoOf(error)})`);
  }
  await rmdir(missing);
}

function errnoOf(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}

/** A file the command reads (a blob): it exists and is a file; what it holds is checked by its reader. */
export async function checkInputFile(file: string, what: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info)
    throw new UsageError(`No such ${what} file: ${file}`, { hint: `Check the path of the ${what}.` });
  if (!info.isFile()) {
    throw new UsageError(`The ${what} ${file} is not a file`, { hint: `Give the path of the ${what} file.` });
  }
}
