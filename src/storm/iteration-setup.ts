import { sanitizerEnv } from '../classify/sanitizer-env.js';
import type { VariantName } from '../compile/variants.js';
import type { Launcher } from '../sandbox/launcher.js';
import type { Placeholder, StormWorkload } from '../workload/schema.js';
import type { Side } from '../workload/side.js';
import { expandArgs } from '../workload/template.js';
import type { Lane, LanePool } from './lanes.js';
import { placeSides } from './placement.js';
import { type SideProcess, startSide } from './side-process.js';

/** Sanitizer builds run slower: their readiness bounds and hang timeouts stretch by this factor. */
export const variantSlowdown: Readonly<Record<VariantName, number>> = { plain: 1, asan: 2, tsan: 4 };

/** How long the server may take to listen, and the client to connect its streams, before the harness gives up. */
const READY_BOUND_MS = 10_000;

/** What an iteration's processes are started with: the same for every iteration of a batch on one lane. */
export interface SetupContext {
  readonly pool: LanePool;
  readonly lane: Lane;
  readonly binary: string;
  readonly variant: VariantName;
  readonly workload: StormWorkload;
  /** Where the server and client start (one sandbox per batch); default directly. */
  readonly launcher?: Launcher;
}

/** The iteration's port, each side's CPUs and the values its argument templates are filled with. */
export interface Setup {
  readonly port: number;
  readonly cpus: Readonly<Record<Side, string>>;
  /** Every placeholder a storm template may use has a value. */
  readonly values: Readonly<Record<Placeholder, string>>;
  readonly env: Readonly<Record<string, string>>;
  /** Bound on each readiness wait, stretched for sanitizer builds. */
  readonly readyBoundMs: number;
}

/** A port of the lane's range that nothing uses and each side's CPUs; or why there are none. */
export async function claimSetup(ctx: SetupContext): Promise<Setup | { readonly failed: string }> {
  const { workload: w, lane } = ctx;
  const port = await ctx.pool.acquirePort(lane, ctx.launcher?.netPid);
  if (port === null) return { failed: `no free port in lane ${lane.index}'s range (${lane.ports[0]}+)` };
  const placement = placeSides(w.pin, lane.cpus, `lane ${lane.index}`);
  if (placement.kind === 'impossible') return { failed: placement.reason };
  return {
    port,
    cpus: { server: placement.server, client: placement.client },
    values: {
      port: String(port),
      host: w.host,
      streams: String(w.streams),
      seconds: String(w.seconds),
      rate: w.rate,
    },
    env: sanitizerEnv(ctx.variant),
    readyBoundMs: READY_BOUND_MS * variantSlowdown[ctx.variant],
  };
}

/** Starts one side of the workload with the setup's port and CPUs; `gated`: held before the program (side-process.ts). */
export function spawnSide(ctx: SetupContext, setup: Setup, side: Side, gated: boolean): SideProcess {
  return startSide({
    side,
    binary: ctx.binary,
    args: expandArgs(ctx.workload[side].args, setup.values),
    cpus: setup.cpus[side],
    env: setup.env,
    ...(ctx.launcher ? { launcher: ctx.launcher } : {}),
    gated,
  });
}
