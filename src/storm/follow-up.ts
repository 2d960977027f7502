import { setTimeout as sleep } from 'node:timers/promises';
import type { Launcher } from '../sandbox/launcher.js';
import type { StormWorkload } from '../workload/schema.js';
import { expandArgs } from '../workload/template.js';
import { waitForPort } from './readiness.js';
import { killAndReap, type SideProcess, startSide } from './side-process.js';

/** What the follow-up client of a persistent server saw. */
export interface FollowUp {
  /** The follow-up client finished its test with exit 0: the server still serves. */
  readonly served: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stderrHead: string[];
  readonly durationMs: number;
}

export interface FollowUpSetup {
  readonly binary: string;
  readonly values: Readonly<Record<string, string>>;
  readonly cpus: string;
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  /** The storm's sandbox: the follow-up client runs where the server's network is. */
  readonly launcher?: Launcher;
}

/**
 * A persistent server (`-s` without `-1`) must serve the next client after its client was
 * signalled or killed: once that client has exited (within `boundMs`) and the server listens on its
 * port again (a server re-opens its listening socket after a test; connecting in between is refused),
 * a second client runs a short test; then the server is sent SIGTERM, so that it ends like any
 * signalled server. A server that never listens again within `boundMs` meets the client anyway: its
 * refusal is the evidence.
 */
export async function followUpClient(
  w: StormWorkload,
  setup: FollowUpSetup,
  server: SideProcess,
  client: SideProcess | null,
  boundMs: number,
  signal?: AbortSignal,
): Promise<FollowUp | null> {
  if (!w.followUp) return null;
  if (client) await Promise.race([client.exited, sleep(boundMs, undefined, signal ? { signal } : undefined)]);
  await waitForPort(setup.port, (s) => s.listening, {
    watch: [server],
    timeoutMs: boundMs,
    ...(signal ? { signal } : {}),
    ...(setup.launcher ? { netPid: setup.launcher.netPid } : {}),
  });
  const started = performance.now();
  const next = startSide({
    side: 'client',
    binary: setup.binary,
    args: expandArgs(w.followUp.args, setup.values),
    cpus: setup.cpus,
    env: setup.env,
    ...(setup.launcher ? { launcher: setup.launcher } : {}),
  });
  try {
    const limit = sleep(boundMs + w.followUp.seconds * 1000, 'timeout' as const);
    const exit = await Promise.race([next.exited, limit]);
    if (server.running()) server.signal('SIGTERM');
    if (exit === 'timeout') {
      return {
        served: false,
        exitCode: null,
        signal: null,
        timedOut: true,
        stderrHead: [],
        durationMs: performance.now() - started,
      };
    }
    return {
      served: exit.exitCode === 0,
      exitCode: exit.exitCode,
      signal: exit.signal,
      timedOut: false,
      stderrHead: exit.stderr
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(0, 10),
      durationMs: exit.durationMs,
    };
  } finally {
    await killAndReap([next]);
  }
}
