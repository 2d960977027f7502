import { execa } from 'execa';
import { SigstormError } from '../util/errors.js';
import { bwrapCommand } from './bwrap-args.js';
import { insideBin } from './inside-paths.js';
import { defaultSandboxLimits } from './sandbox.schema.js';

/** What an operator does when no sandbox can be made: the usual causes, most common first. */
export const sandboxHint = [
  'Install bubblewrap and util-linux (scripts/setup.sh does: apt-get install bubblewrap util-linux),',
  'have overlayfs (modprobe overlay; Linux 5.11 or later when not run as root),',
  'and allow unprivileged user namespaces: sysctl user.max_user_namespaces must be above 0;',
  'on Debian kernels before 5.10 also kernel.unprivileged_userns_clone=1; on Ubuntu 23.10 and later',
  'kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for /usr/bin/bwrap;',
  'inside a container, run it with user namespaces allowed (e.g. no seccomp profile blocking unshare);',
  'run as root, sigstorm runs the sandbox as SIGSTORM_SANDBOX_UID (default 65534, nobody), which must be mapped where it runs.',
  'Run your own code without a sandbox with --no-sandbox (the CLI only; sigstorm serve always sandboxes).',
].join(' ');

export type SandboxProbe = { readonly ok: true } | { readonly ok: false; readonly error: SigstormError };

/**
 * Creates a throwaway sandbox exactly as builds and storms do and runs `true` in it, then joins it
 * as a storm does (nsenter). Either works here, now, or the answer says what to install or enable.
 */
export async function probeSandbox(bwrap = 'bwrap'): Promise<SandboxProbe> {
  // bwrap is started through unshare and setpriv (src/sandbox/stage.ts): ask bwrap itself whether it is there.
  const version = await execa(bwrap, ['--version'], { reject: false, stdin: 'ignore', timeout: 30_000 });
  // A directory staged as a storm's is (an overlay: src/sandbox/stage.ts), so a kernel without it fails here.
  const command = bwrapCommand({
    writable: [],
    readOnly: [{ host: '/usr', inside: insideBin }],
    cwd: '/tmp',
    tmpMiB: defaultSandboxLimits.tmpMiB,
  });
  const argv = command.argv.map((arg) => (arg === 'bwrap' ? bwrap : arg));
  const [file = bwrap, ...args] = argv;
  const run = await execa(file, [...args, '--', 'sh', '-c', 'exec true'], {
    reject: false,
    stdio: ['ignore', 'pipe', 'pipe', command.options],
    extendEnv: false,
    env: { PATH: '/usr/bin:/bin' },
    timeout: 30_000,
  });
  if (run.exitCode === 0) {
    // Storms join their sandbox with nsenter and drop what the namespace's root holds with setpriv.
    for (const program of ['nsenter', 'setpriv']) {
      const found = await execa(program, ['--version'], { reject: false, stdin: 'ignore' });
      if (found.exitCode === 0) continue;
      return {
        ok: false,
        error: new SigstormError(`${program} (util-linux) is missing: storms join their sandbox with it.`, {
          hint: sandboxHint,
        }),
      };
    }
    return { ok: true };
  }
  const missing = version.code === 'ENOENT' || run.code === 'ENOENT';
  return {
    ok: false,
    error: new SigstormError(
      missing
        ? 'bubblewrap (bwrap) is not installed: sigstorm runs the code under test in a bwrap sandbox.'
        : 'A bubblewrap sandbox cannot be created on this machine.',
      {
        hint: sandboxHint,
        details: missing ? undefined : String(run.stderr).trim() || run.shortMessage,
      },
    ),
  };
}

let cached: Promise<SandboxProbe> | undefined;

/** The probe, once per process. */
export function probeSandboxOnce(): Promise<SandboxProbe> {
  cached ??= probeSandbox();
  return cached;
}
