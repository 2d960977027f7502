import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';

/** The variable that names the sandbox's host id when sigstorm runs as root. */
export const sandboxUidVariable = 'SIGSTORM_SANDBOX_UID';

/** A uid and gid that are not root's; nobody's (65534) by default. */
export const SandboxHostId = z
  .string()
  .regex(/^\d{1,10}(:\d{1,10})?$/, 'must be UID or UID:GID (whole numbers)')
  .default('65534')
  .transform((text) => {
    const [uid = '', gid = uid] = text.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  })
  .refine(({ uid, gid }) => [uid, gid].every((id) => id >= 1 && id <= 4_294_967_294), {
    message: 'must be between 1 and 4294967294: never root (0), nor the kernel\'s "no id" (4294967295)',
  })
  .describe('host uid[:gid] the sandbox runs as when sigstorm runs as root (gid: the uid by default)');
export type SandboxHostId = z.output<typeof SandboxHostId>;

/**
 * Who root's sandbox is on the host, from SIGSTORM_SANDBOX_UID (unset or empty: nobody, 65534).
 * An unprivileged caller's sandbox is that caller (bwrap maps its uid, nothing else). Root's sandbox
 * is never root: bwrap itself runs as this unprivileged id (setpriv), so the sandbox's user namespace
 * maps to it and host uid 0 is mapped nowhere inside. A dedicated user that owns nothing and runs
 * nothing else is best; nobody is the default because it exists everywhere.
 */
export function sandboxHostIdFromEnv(env: NodeJS.ProcessEnv): SandboxHostId {
  const text = env[sandboxUidVariable];
  const parsed = SandboxHostId.safeParse(text === '' ? undefined : text);
  if (parsed.success) return parsed.data;
  throw new UsageError(`Invalid ${sandboxUidVariable} "${text}".`, {
    details: parsed.error.issues.map((issue) => `- ${sandboxUidVariable} ${issue.message}`).join('\n'),
    hint: `Set ${sandboxUidVariable} to an unprivileged user's id (a dedicated one: useradd --system sigstorm-sandbox; id -u sigstorm-sandbox), or unset it for nobody (65534).`,
  });
}

/** Root's sandbox's host id, as the environment says now. */
export function sandboxHostId(): SandboxHostId {
  return sandboxHostIdFromEnv(process.env);
}

export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** `chown` argument that hands a tree to the sandbox's host id (root only). */
export function sandboxOwner(): string {
  const { uid, gid } = sandboxHostId();
  return `${uid}:${gid}`;
}

let stage: string | undefined;

/**
 * An empty directory every user may traverse, root's only: `$TMPDIR/sigstorm-stage`, shared by
 * every root sigstorm and never written (each covers it with a tmpfs in a private mount namespace
 * and binds the sandbox's sources into that, so the unprivileged bwrap reaches a tree inside root's
 * 0700 cache without that cache being opened to anyone on the host). One another user made first
 * (or a symlink) is not used: a fresh one of this process's own is.
 */
function stageDir(): string {
  if (stage !== undefined) return stage;
  const shared = join(tmpdir(), 'sigstorm-stage');
  try {
    mkdirSync(shared, { mode: 0o755 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = lstatSync(shared);
  if (info.isDirectory() && info.uid === 0 && (info.mode & 0o7777) === 0o755) {
    stage = shared;
    return stage;
  }
  const own = mkdtempSync(join(tmpdir(), 'sigstorm-stage-'));
  chmodSync(own, 0o755);
  process.once('exit', () => {
    try {
      rmdirSync(own);
    } catch {
      // Gone, or still covered by a sandbox that outlives us: nothing to clean.
    }
  });
  stage = own;
  return stage;
}

/** dash: mounts a small tmpfs on the stage, binds each source into it, then execs the rest. */
const stageScript = [
  'stage=$1; n=$2; shift 2',
  'mount -t tmpfs -o size=64k,mode=0755 sigstorm-stage "$stage" || exit 125',
  'i=0',
  'while [ "$i" -lt "$n" ]; do',
  '  if [ -d "$1" ]; then mkdir "$stage/$i"; else : > "$stage/$i"; fi || exit 125',
  '  mount --bind "$1" "$stage/$i" || exit 125',
  '  shift; i=$((i+1))',
  'done',
  'exec "$@"',
].join('\n');

export interface BwrapLaunch {
  /** argv before `bwrap`: empty for an unprivileged caller. */
  readonly prefix: string[];
  /** Where bwrap finds each host path it binds (the path itself, or its place on the stage). */
  readonly sourceOf: (path: string) => string;
}

/**
 * How bwrap is started for a sandbox that binds `sources`. As root: in a private mount namespace
 * (nothing it mounts is seen by the host), with the sources staged, then as `sandboxHostId` with no
 * supplementary group. Unprivileged: bwrap directly.
 */
export function bwrapLaunch(sources: readonly string[]): BwrapLaunch {
  if (!runsAsRoot()) return { prefix: [], sourceOf: (path) => path };
  const dir = stageDir();
  const unique = [...new Set(sources)];
  const { uid, gid } = sandboxHostId();
  return {
    prefix: [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      stageScript,
      'sigstorm-stage',
      dir,
      String(unique.length),
      ...unique,
      'setpriv',
      `--reuid=${uid}`,
      `--regid=${gid}`,
      '--clear-groups',
      '--',
    ],
    sourceOf: (path) => {
      const index = unique.indexOf(path);
      if (index < 0) throw new Error(`${path} was not staged for the sandbox`);
      return join(dir, String(index));
    },
  };
}
