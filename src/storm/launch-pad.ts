import { claimSetup, type Setup, type SetupContext, spawnSide } from './iteration-setup.js';
import { killAndReap, type SideProcess } from './side-process.js';

/** An iteration's server and client (none for an idle moment), started and waiting at their gates. */
export interface Launched {
  readonly setup: Setup;
  readonly server: SideProcess;
  readonly client: SideProcess | null;
}

/**
 * Room a launch needs before its deadline: Node's fork of itself for each side (~6–14 ms, growing
 * with sigstorm's memory) and the chains after it (the sandbox's limits shell, nsenter, setpriv,
 * taskset, the gate's shell: ~4 ms each), ~30 ms for both sides on 2 cores.
 */
export const LAUNCH_ROOM_MS = 40;

/** The processes of a launch: its server, and its client unless the moment is idle. */
export const launchedProcesses = (l: Launched): SideProcess[] =>
  l.client ? [l.server, l.client] : [l.server];

/**
 * The next iteration's processes, launched while the current one waits out its delay window: its
 * start-up is then a release at the gate (a line on a pipe, one exec), not a launch chain (src/storm/
 * side-process.ts). One pad per lane of a batch (the batch's sandbox, binary and workload).
 */
export interface LaunchPad {
  /** The sides launched for the next iteration, if both still wait at their gates (each set once). */
  take(): Promise<Launched | null>;
  /**
   * Launches the next iteration's sides at their gates, when the batch has another iteration, none
   * waits already, and the launch can be done by `deadline` (performance.now()): the current
   * iteration's first signal must find the machine as it would without it. Never rejects: an error
   * is thrown by the next take().
   */
  prepare(deadline: number): Promise<void>;
  /** Kills and reaps what waits unused. */
  close(): Promise<void>;
}

export function openLaunchPad(ctx: SetupContext, more: () => boolean): LaunchPad {
  let waiting: Launched | null = null;
  let launching: Promise<void> | null = null;
  /** A launch that threw (reading the socket tables): the next take() throws it, in that iteration. */
  let failure: unknown = null;
  let closed = false;
  const inTime = (deadline: number) => performance.now() + LAUNCH_ROOM_MS <= deadline;

  const launch = async (deadline: number): Promise<void> => {
    const setup = await claimSetup(ctx);
    // No port now is no port for the next iteration either: it says so itself when it claims one.
    if ('failed' in setup || closed || !inTime(deadline)) return;
    const server = spawnSide(ctx, setup, 'server', true);
    const client = ctx.workload.at.moment === 'idle' ? null : spawnSide(ctx, setup, 'client', true);
    waiting = { setup, server, client };
  };

  return {
    async take() {
      await launching;
      if (failure !== null) {
        const error = failure;
        failure = null;
        throw error;
      }
      const launched = waiting;
      waiting = null;
      if (!launched) return null;
      const processes = launchedProcesses(launched);
      if (processes.every((p) => p.running())) return launched;
      // A gate that died (the sandbox's limits): the iteration launches its own.
      await killAndReap(processes);
      return null;
    },
    async prepare(deadline) {
      if (closed || waiting || launching || !more() || !inTime(deadline)) return;
      launching = launch(deadline)
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => {
          launching = null;
        });
      await launching;
    },
    async close() {
      closed = true;
      await launching;
      const launched = waiting;
      waiting = null;
      if (launched) await killAndReap(launchedProcesses(launched));
    },
  };
}
