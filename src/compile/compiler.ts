import { access, constants, realpath } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import { SigstormError } from '../util/errors.js';

/** The C compiler builds use. Its path and version are part of every build's cache key. */
export interface CompilerIdentity {
  /** What is passed as CC: `$CC` or `cc`. */
  readonly command: string;
  /** Absolute path after following symlinks, e.g. /usr/bin/x86_64-linux-gnu-gcc-12. */
  readonly path: string;
  /** First line of `cc --version`. */
  readonly version: string;
  /** Whether it accepts -ffile-prefix-map (keeps build paths out of debug info and reports). */
  readonly filePrefixMap: boolean;
}

const known = new Map<string, Promise<CompilerIdentity>>();

export function compilerIdentity(env: NodeJS.ProcessEnv = process.env): Promise<CompilerIdentity> {
  const command = env.CC?.trim() || 'cc';
  let identity = known.get(command);
  if (!identity) {
    identity = probe(command, env);
    known.set(command, identity);
    // A failed probe (no compiler yet) should be retried after the user installs one.
    identity.catch(() => known.delete(command));
  }
  return identity;
}

async function probe(command: string, env: NodeJS.ProcessEnv): Promise<CompilerIdentity> {
  const found = await findOnPath(command, env.PATH ?? '');
  if (!found) {
    throw new SigstormError(`C compiler "${command}" not found on PATH`, {
      hint: 'Install gcc (run `npm run setup`), or set CC to the compiler to use.',
    });
  }
  const version = await execa(command, ['--version'], { reject: false, stdin: 'ignore' });
  const probeMap = await execa(
    command,
    ['-ffile-prefix-map=/sigstorm-probe=.', '-x', 'c', '-c', '-o', '/dev/null', '/dev/null'],
    { reject: false, stdin: 'ignore' },
  );
  return {
    command,
    path: await realpath(found),
    version: version.stdout.split('\n')[0]?.trim() || `unknown (exit ${version.exitCode})`,
    filePrefixMap: probeMap.exitCode === 0,
  };
}

async function findOnPath(command: string, path: string): Promise<string | undefined> {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : join(process.cwd(), command)]
    : path.split(delimiter).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    const usable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (usable) return candidate;
  }
  return undefined;
}
