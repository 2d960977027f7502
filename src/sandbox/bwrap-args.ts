import { lstatSync, readlinkSync } from 'node:fs';

/** What of the host a sandbox sees besides the system's programs and libraries. */
export interface SandboxLayout {
  /** Bound read-write at the same path: the tree being built and nothing else. */
  readonly writable: readonly string[];
  /** Bound read-only at the same path (the program a storm runs, with its build directory). */
  readonly readOnly: readonly string[];
  /** Working directory inside. */
  readonly cwd: string;
  /** Size of the private /tmp. */
  readonly tmpMiB: number;
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

/** A uid that maps to nobody's: root's sandbox does not run as uid 0 inside either. */
export const sandboxUidForRoot = 65534;

function uidArgs(): string[] {
  // Unprivileged callers keep their uid (a second, nested user namespace would stop nsenter joining).
  if (process.getuid?.() !== 0) return [];
  return ['--uid', String(sandboxUidForRoot), '--gid', String(sandboxUidForRoot)];
}

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
 * bwrap), no capability, a private pid namespace whose end kills everything in it, the system
 * read-only, the layout's paths, a private /tmp and a minimal /dev and /proc. No seccomp filter:
 * TSan re-executes itself through personality() and gdb needs ptrace.
 */
export function bwrapArgs(layout: SandboxLayout): string[] {
  const args = ['--unshare-all', '--unshare-user', '--cap-drop', 'ALL', ...uidArgs()];
  args.push('--die-with-parent', '--hostname', 'sigstorm-sandbox');
  for (const dir of systemDirs) args.push(...systemPath(dir));
  args.push('--dir', '/etc');
  for (const name of systemEtc) args.push(...systemPath(`/etc/${name}`));
  args.push('--proc', '/proc');
  // bwrap's own --dev would need a nested user namespace (for devpts), which nsenter cannot join.
  args.push('--tmpfs', '/dev');
  for (const name of devices) args.push('--dev-bind', `/dev/${name}`, `/dev/${name}`);
  args.push('--symlink', '/proc/self/fd', '/dev/fd');
  for (const [fd, name] of ['stdin', 'stdout', 'stderr'].entries()) {
    args.push('--symlink', `/proc/self/fd/${fd}`, `/dev/${name}`);
  }
  args.push('--perms', '1777', '--tmpfs', '/dev/shm');
  args.push('--perms', '1777', '--size', String(layout.tmpMiB * 1024 * 1024), '--tmpfs', '/tmp');
  for (const path of layout.readOnly) args.push('--ro-bind', path, path);
  for (const path of layout.writable) args.push('--bind', path, path);
  args.push('--chdir', layout.cwd);
  return args;
}
