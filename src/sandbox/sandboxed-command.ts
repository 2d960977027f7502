import { allowedEnv } from './allowed-env.js';
import { bwrapCommand } from './bwrap-args.js';
import { openCgroup, type SandboxCgroup } from './cgroup.js';
import { insideTree } from './inside-paths.js';
import type { SandboxLimits, SandboxMode } from './sandbox.schema.js';
import { removeOverlayWork } from './stage.js';
import { handToSandbox, takeBack } from './tree-ownership.js';

/** One step of a tree's code (bootstrap, configure, make, `configure --help`), ready to spawn. */
export interface SandboxedCommand {
  readonly file: string;
  readonly args: string[];
  /** The allow-listed environment; spawn with it alone (execa `extendEnv: false`). */
  readonly env: Record<string, string>;
  /** What to give on fds 3, 4…: spawn with `stdio: [stdin, stdout, stderr, ...extraStdio]`. */
  readonly extraStdio: readonly Uint8Array[];
  /** The step's deadline, or null without a sandbox (the caller's own, if any). */
  readonly limits: SandboxLimits | null;
  /**
   * Removes the cgroup, killing whatever the step left in it, and the overlay's work directory
   * (src/sandbox/stage.ts), and takes the writable paths back
   * (sigstorm's owner, no setuid/setgid bit, no file capability: see takeBack).
   */
  close(): Promise<void>;
}

export interface StepLayout {
  /** The tree on the host: the step's working directory, and the only path it may write. */
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * argv prefix (one `sh`, then exec: no extra process) that joins the cgroup, if any, sets the
 * limits an rlimit can hold (each file's size, and processes where no cgroup bounds them) and
 * leaves the caller's directory for `/`.
 */
export function limitsPrefix(limits: SandboxLimits, cgroup: SandboxCgroup | null): string[] {
  const files = cgroup?.procsFiles ?? [];
  // dash: -f counts 512-byte blocks, -p is RLIMIT_NPROC.
  const rlimits = [`ulimit -f ${limits.diskMiB * 2048}`];
  if (!cgroup?.bounds.includes('processes')) rlimits.push(`ulimit -p ${limits.processes}`);
  const script = [
    // From / on: the shell exports PWD (and OLDPWD), which every process after it (bwrap's init, nsenter's
    // program) would keep in its environ, and the caller's directory names a host path.
    'cd / || exit 125',
    'unset OLDPWD',
    'n=$1; shift',
    'while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done',
    ...rlimits.map((line) => `${line} || exit 125`),
    'exec "$@"',
  ].join('; ');
  return ['sh', '-c', script, 'sigstorm-limits', String(files.length), ...files];
}

export async function sandboxedCommand(
  mode: SandboxMode,
  file: string,
  args: readonly string[],
  layout: StepLayout,
): Promise<SandboxedCommand> {
  const env = allowedEnv(layout.env);
  switch (mode.kind) {
    case 'none':
      return { file, args: [...args], env, extraStdio: [], limits: null, close: async () => undefined };
    case 'bwrap': {
      // The tree is seen at a neutral path (src/sandbox/inside-paths.ts), not at the cache's.
      const writable = [layout.cwd];
      await handToSandbox(writable);
      const cgroup = await openCgroup(mode.limits);
      const bwrap = bwrapCommand({
        writable: [{ host: layout.cwd, inside: insideTree }],
        readOnly: [],
        cwd: insideTree,
        tmpMiB: mode.limits.tmpMiB,
      });
      const argv = [...limitsPrefix(mode.limits, cgroup), ...bwrap.argv, '--', file, ...args];
      const [first, ...rest] = argv;
      return {
        file: first ?? 'bwrap',
        args: rest,
        env,
        extraStdio: [bwrap.options],
        limits: mode.limits,
        close: async () => {
          await cgroup?.close();
          await removeOverlayWork(writable);
          await takeBack(writable);
        },
      };
    }
    default: {
      const unknown: never = mode;
      throw new Error(`unknown sandbox mode ${JSON.stringify(unknown)}`);
    }
  }
}
