import { lstatSync, readlinkSync } from 'node:fs';
import { bwrapLaunch } from './stage.js';

/**
 * A host directory and where the sandbox sees it (src/sandbox/inside-paths.ts: never the host's
 * path; it is bound from an overlay on the stage, src/sandbox/stage.ts, so no mount names it).
 */
export interface Bind {
  readonly host: string;
  readonly inside: string;
}

/** What of the host a sandbox sees besides the system's programs and libraries. */
export interface SandboxLayout {
  /** Bound read-write: the tree being built and nothing else. */
  readonly writable: readonly Bind[];
  /** Bound read-only (the directory of the program a storm runs). */
  readonly readOnly: readonly Bind[];
  /** Working directory inside. */
  readonly cwd: string;
  /** Size of the private /tmp, and of /dev/shm. */
  readonly tmpMiB: number;
  /**
   * Run as uid 0 inside (a storm's sandbox: nsenter then joins as the namespace's root, which may
   * drop the bounding set before it runs the program). Uid 0 inside is the unprivileged caller, or
   * nobody for root, outside; it holds no capability. Default: the caller's own uid inside.
   */
  readonly insideRoot?: boolean;
  /** Where bwrap finds a bound host path (see bwrapLaunch); default: the path itself. */
  readonly sourceOf?: (path: string) => string;
}

/**
 * The system's programs and libraries, read-only. An allow-list, not the host's `/` with holes:
 * the App's key file, its job store, its config, the caches and every home stay outside, unseen.
 */
const systemDirs = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const systemEtc = [
  'alternatives',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'hosts',
  'host.conf',
  'nsswitch.conf',
  'gai.conf',
  'services',
  'protocols',
  'passwd',
  'group',
  'os-release',
  'debian_version',
  'perl',
  'gdb',
];
const devices = ['null', 'zero', 'full', 'random', 'urandom'];

/** Size of the /dev tmpfs (a few symlinks and mount points; read-only once made). */
const devBytes = 64 * 1024;

/** `--ro-bind` for a directory or file, `--symlink` for a symlink (merged /usr: /bin → usr/bin). */
function systemPath(path: string): string[] {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return [];
  }
  return stat.isSymbolicLink() ? ['--symlink', readlinkSync(path), path] : ['--ro-bind', path, path];
}

/**
 * bwrap's options for one sandbox: every namespace new (network: loopback only, brought up by
 * bwrap), no capability and an empty bounding set, no-new-privs (bwrap sets it), a private pid
 * namespace whose end kills everything in it, the system read-only, the layout's paths, a sized
 * private /tmp and /dev/shm, a read-only /proc/sys, and the rest of the root read-only. No seccomp
 * filter: TSan re-executes itself through personality() and gdb needs ptrace. bwrap runs
 * unprivileged (see bwrapLaunch), so the sandbox's uid never maps to host root.
 */
export function bwrapArgs(layout: SandboxLayout): string[] {
  const sourceOf = layout.sourceOf ?? ((path: string) => path);
  const args = ['--unshare-all', '--unshare-user', '--cap-drop', 'ALL'];
  if (layout.insideRoot) args.push('--uid', '0', '--gid', '0');
  args.push('--die-with-parent', '--hostname', 'sigstorm-sandbox');
  for (const dir of systemDirs) args.push(...systemPath(dir));
  args.push('--dir', '/etc');
  for (const name of systemEtc) args.push(...systemPath(`/etc/${name}`));
  args.push('--proc', '/proc');
  // The sysctls a reader sees are its own namespaces' whichever proc they come from: bound read-only.
  args.push('--ro-bind', '/proc/sys', '/proc/sys');
  // bwrap's own --dev would need a nested user namespace (for devpts), which nsenter cannot join.
  args.push('--size', String(devBytes), '--tmpfs', '/dev');
  for (const name of devices) args.push('--dev-bind', `/dev/${name}`, `/dev/${name}`);
  args.push('--symlink', '/proc/self/fd', '/dev/fd');
  for (const [fd, name] of ['stdin', 'stdout', 'stderr'].entries()) {
    args.push('--symlink', `/proc/self/fd/${fd}`, `/dev/${name}`);
  }
  const tmpBytes = String(layout.tmpMiB * 1024 * 1024);
  args.push('--perms', '1777', '--size', tmpBytes, '--tmpfs', '/dev/shm');
  args.push('--remount-ro', '/dev');
  args.push('--perms', '1777', '--size', tmpBytes, '--tmpfs', '/tmp');
  for (const bind of layout.readOnly) args.push('--ro-bind', sourceOf(bind.host), bind.inside);
  for (const bind of layout.writable) args.push('--bind', sourceOf(bind.host), bind.inside);
  // The root tmpfs held only mount points and /etc's symlinks: nothing may fill it.
  args.push('--remount-ro', '/');
  args.push('--chdir', layout.cwd);
  return args;
}

/** How to start bwrap for one sandbox. */
export interface BwrapCommand {
  /** argv: the launch prefix (see bwrapLaunch), then `bwrap --args FD`; append `--` and the command. */
  readonly argv: string[];
  /**
   * bwrap's options, NUL-separated, for the spawner to give on `fd` (execa: `stdio[fd]`). Read and
   * closed by bwrap, they stay out of every command line: the sandbox's init is a fork of bwrap, and
   * its /proc/1/cmdline, which the code under test reads, would otherwise list the host paths bound.
   */
  readonly options: Uint8Array;
  readonly fd: number;
}

/** bwrap for `layout` (staged, and as root unprivileged: see bwrapLaunch), its options on `fd`. */
export function bwrapCommand(layout: Omit<SandboxLayout, 'sourceOf'>, fd = 3): BwrapCommand {
  const launch = bwrapLaunch({
    readOnly: layout.readOnly.map((bind) => bind.host),
    writable: layout.writable.map((bind) => bind.host),
  });
  const options = bwrapArgs({ ...layout, sourceOf: launch.sourceOf });
  return {
    argv: [...launch.prefix, 'bwrap', '--args', String(fd)],
    options: new TextEncoder().encode(options.map((arg) => `${arg}\0`).join('')),
    fd,
  };
}
