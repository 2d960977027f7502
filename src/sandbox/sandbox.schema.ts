import { z } from 'zod';

/**
 * Limits of one sandbox (a build step, or a storm with all its processes). They are the operator's,
 * never a repository's: a pull request cannot raise the limits its own code runs under.
 */
export const SandboxLimits = z
  .object({
    wallTimeS: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(1800)
      .describe(
        'deadline of one build step (bootstrap, configure, make) in seconds; the whole sandbox is killed at it',
      ),
    processes: z
      .number()
      .int()
      .min(16)
      .max(1_000_000)
      .default(2048)
      .describe('processes and threads the sandbox may hold at once (cgroup pids.max, or RLIMIT_NPROC)'),
    memoryMiB: z
      .number()
      .int()
      .min(64)
      .default(16_384)
      .describe('memory of the sandbox (cgroup); no address-space limit, which ASan could not live with'),
    diskMiB: z
      .number()
      .int()
      .min(1)
      .default(4096)
      .describe('bytes written into the build directory, and the largest file any process may write'),
    tmpMiB: z.number().int().min(1).default(1024).describe('size of the private /tmp (a tmpfs)'),
  })
  .strict();
export type SandboxLimits = z.output<typeof SandboxLimits>;

export const defaultSandboxLimits: SandboxLimits = SandboxLimits.parse({});

/** How the code of a tree is run: in a bubblewrap sandbox, or directly (`--no-sandbox`). */
export type SandboxMode =
  | { readonly kind: 'bwrap'; readonly limits: SandboxLimits }
  | { readonly kind: 'none' };

export const sandboxModeKinds = ['bwrap', 'none'] as const satisfies readonly SandboxMode['kind'][];

export const defaultSandbox: SandboxMode = { kind: 'bwrap', limits: defaultSandboxLimits };

/** The environment variables that set the limits, one per field (sigstorm serve and the CLI alike). */
export const sandboxLimitVariables = {
  wallTimeS: 'SIGSTORM_SANDBOX_WALL_TIME_S',
  processes: 'SIGSTORM_SANDBOX_PROCESSES',
  memoryMiB: 'SIGSTORM_SANDBOX_MEMORY_MIB',
  diskMiB: 'SIGSTORM_SANDBOX_DISK_MIB',
  tmpMiB: 'SIGSTORM_SANDBOX_TMP_MIB',
} as const satisfies Record<keyof SandboxLimits, string>;
