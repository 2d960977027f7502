import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runsAsRoot, sandboxHostId } from './host-identity.js';

/**
 * What a sandbox is given of the host reaches it through a stage: a private mount namespace with a
 * small tmpfs, where each host directory is put under an **overlay mount** before bwrap binds it.
 *
 * Why an overlay: the kernel shows a bind mount's root in /proc/self/mountinfo (field 4) as the
 * bound directory's path relative to its filesystem: a bind of the cache's tree says
 * `/root/.cache/sigstorm/builds/<key>/tree` to whoever reads it, however many binds lie between.
 * An overlay is a filesystem of its own whose root is `/`; its options (upperdir, lowerdir,
 * workdir: the only other place a path shows, in mountinfo and /proc/self/mounts) are given
 * relative to the stage (`upperdir=s0/tree`). So nothing the sandbox reads names a host path.
 *
 * - a writable tree: the tree is the overlay's upper directory (every write lands in it, on the
 *   host, at once: nothing is copied in or out), over an empty lower one; the overlay's work
 *   directory (the kernel's, which must share the upper's mount) is `overlayWorkName` next to the
 *   tree, removed after the step (removeOverlayWork).
 * - a read-only directory (a storm's program directory): the lower layer of a read-only overlay.
 *
 * Both are mounted nosuid and nodev, and follow no redirect a tree could plant.
 */

/** The overlay's work directory, beside the writable tree (same mount), never inside it. */
export const overlayWorkName = '.sigstorm-overlay';

let stage: string | undefined;

/**
 * An empty directory to mount the stage's tmpfs on (in a private mount namespace: the host never
 * sees what is mounted there): `$TMPDIR/sigstorm-stage`, shared by every sigstorm and never
 * written. It must be root's (or, for an unprivileged caller, its own) and 0755; otherwise (another
 * user made it first, or a symlink) a fresh one of this process's own is used.
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
  const owners = new Set([0, process.getuid?.() ?? 0]);
  if (info.isDirectory() && owners.has(info.uid) && (info.mode & 0o7777) === 0o755) {
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

/**
 * The TCP hash table of the sandbox's network namespace, in buckets. By default a namespace shares
 * the host's table, sized by the host's memory (262,144 buckets with 24 GiB), and every read of
 * /proc/PID/net/tcp walks all of it: about 15 ms for tcp + tcp6, which a storm's readiness polls
 * every few ms (src/storm/readiness.ts) and the thread checks read again, so most of a storm's system time was
 * those walks. The stage is a network namespace of its own (with nothing in it) whose
 * `tcp_child_ehash_entries` gives the namespace bwrap makes in it a table of its own: 1,024 buckets
 * hold a storm's sockets and its TIME_WAIT ones many times over, and a read takes about 1 ms.
 */
export const childEhashEntries = 1024;

/**
 * dash, run in the private mount and network namespaces (as root, or as the caller holding the capabilities of
 * its own user namespace): mounts the stage's tmpfs, mounts each source's overlay at `$stage/N`,
 * then leaves for / and execs the rest. Every overlay option is relative to the stage.
 */
const stageScript = [
  'stage=$1; work=$2; n=$3; shift 3',
  // Not every kernel has it (6.1 and later do): without it the sandbox shares the host's table.
  `echo ${childEhashEntries} 2>/dev/null >/proc/sys/net/ipv4/tcp_child_ehash_entries || :`,
  'mount -t tmpfs -o size=64k,mode=0755 sigstorm-stage "$stage" || exit 125',
  'cd "$stage" && mkdir e || exit 125',
  'opts=nosuid,nodev,redirect_dir=nofollow',
  'i=0',
  'while [ "$i" -lt "$n" ]; do',
  // ro: the directory itself; rw: the tree's parent and the tree's name in it.
  '  kind=$1; src=$2; name=$3; shift 3',
  '  [ -d "$src" ] && mkdir "$i" "s$i" || exit 125',
  '  case $kind in',
  '  ro) mount --bind "$src" "s$i" && mount -t overlay sigstorm -o "ro,$opts,lowerdir=s$i:e" "$i" || exit 125 ;;',
  // The upper and work directories must share a mount: the tree's parent, bound.
  '  rw) mount --bind "$src" "s$i" && [ -d "s$i/$name" ] && mkdir -p "s$i/$work" &&',
  '      mount -t overlay sigstorm -o "$opts,lowerdir=e,upperdir=s$i/$name,workdir=s$i/$work" "$i" || exit 125 ;;',
  '  *) exit 125 ;;',
  '  esac',
  '  i=$((i+1))',
  'done',
  'cd / || exit 125',
  'exec "$@"',
].join('\n');

export interface StagedSources {
  /** Bound read-only (a storm's program directory). */
  readonly readOnly: readonly string[];
  /** Bound read-write (a build's tree): its name is the overlay's upperdir option, so plain. */
  readonly writable: readonly string[];
}

export interface BwrapLaunch {
  /** argv before `bwrap`: the stage (its namespaces and mounts), then who bwrap runs as. */
  readonly prefix: string[];
  /** Where bwrap finds each staged host directory (its overlay on the stage). */
  readonly sourceOf: (path: string) => string;
}

/** A writable tree's name is written into the overlay's options, where `,` `:` `\` `=` mean something. */
const plainName = /^[A-Za-z0-9._-]+$/;

/**
 * How bwrap is started for a sandbox that binds `sources`: in a private mount namespace where each
 * is staged (see above). As root, that namespace is root's; bwrap then runs as `sandboxHostId`, with
 * no supplementary group. Unprivileged, the caller first makes a user namespace that maps only its
 * own ids (so the sandbox's ids are the same as without it), mounts the stage with that
 * namespace's capabilities, and drops them before bwrap (which refuses to start with any).
 */
export function bwrapLaunch(sources: StagedSources): BwrapLaunch {
  const staged = [
    ...[...new Set(sources.readOnly)].map((path) => ({ kind: 'ro', path })),
    ...[...new Set(sources.writable)].map((path) => ({ kind: 'rw', path })),
  ];
  for (const { kind, path } of staged) {
    if (kind === 'rw' && !plainName.test(basename(path)))
      throw new Error(`a sandbox's writable tree must have a plain name (letters, digits, . _ -): ${path}`);
  }
  const dir = stageDir();
  const stageArgs = [
    'sh',
    '-c',
    stageScript,
    'sigstorm-stage',
    dir,
    overlayWorkName,
    String(staged.length),
    ...staged.flatMap(({ kind, path }) =>
      kind === 'ro' ? [kind, path, ''] : [kind, dirname(path), basename(path)],
    ),
  ];
  // The stage's own namespaces: mounts (private) and network (its TCP table: childEhashEntries).
  const stage = ['--mount', '--net', '--propagation', 'private', '--', ...stageArgs, 'setpriv'];
  let prefix: string[];
  if (runsAsRoot()) {
    const { uid, gid } = sandboxHostId();
    prefix = ['unshare', ...stage, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
  } else {
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    prefix = [
      'unshare',
      '--user',
      `--map-user=${uid}`,
      `--map-group=${gid}`,
      '--keep-caps',
      ...stage,
      '--inh-caps=-all',
      '--ambient-caps=-all',
      '--',
    ];
  }
  return {
    prefix,
    sourceOf: (path) => {
      const index = staged.findIndex((source) => source.path === path);
      if (index < 0) throw new Error(`${path} was not staged for the sandbox`);
      return join(dir, String(index));
    },
  };
}

/**
 * Removes the overlay work directories beside `writable` trees once their step has ended. The
 * kernel leaves an empty `work` directory of mode 0 in it (which a caller not root may not list).
 */
export async function removeOverlayWork(writable: readonly string[]): Promise<void> {
  for (const tree of writable) {
    const work = join(dirname(tree), overlayWorkName);
    try {
      chmodSync(join(work, 'work'), 0o700);
    } catch {
      // Not there (the step never mounted it): nothing to open.
    }
    await rm(work, { recursive: true, force: true });
  }
}
