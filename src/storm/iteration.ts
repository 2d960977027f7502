import { setTimeout as sleep } from 'node:timers/promises';
import type { VariantName } from '../build/variants.js';
import { classifyProcess, type Expectations, harnessError } from '../classify/classify-process.js';
import type { Outcome } from '../classify/outcome.js';
import { sanitizerEnv } from '../classify/sanitizer-env.js';
import type { Launcher } from '../sandbox/launcher.js';
import { judgedSide, otherSide, type StormWorkload } from '../workload/schema.js';
import { expandArgs } from '../workload/template.js';
import { awaitExits, type Ended } from './await-exits.js';
import { type DeliveredSignal, deliverPattern, type PlannedSignal } from './deliver.js';
import type { Lane, LanePool } from './lanes.js';
import { placeSides } from './placement.js';
import { drawInt, iterationRandom } from './prng.js';
import { waitForPort } from './readiness.js';
import type { IterationRecord, Side } from './record.js';
import { reproCommand } from './repro.js';
import { groupAlive, killGroup, type SideProcess, startSide } from './side-process.js';

/** Sanitizer builds run slower: their readiness bounds and hang timeouts stretch by this factor. */
export const variantSlowdown: Readonly<Record<VariantName, number>> = { plain: 1, asan: 2, tsan: 4 };

/** How long the server may take to listen, and the client to connect its streams, before the harness gives up. */
const READY_BOUND_MS = 10_000;

export interface IterationContext {
  readonly pool: LanePool;
  readonly lane: Lane;
  readonly binary: string;
  readonly variant: VariantName;
  readonly workload: StormWorkload;
  /** How the repro command names the workload: the bundled name or an absolute path. */
  readonly workloadRef: string;
  readonly seed: number;
  readonly iteration: number;
  readonly stormId: string;
  readonly signal?: AbortSignal;
  /** Where the server and client start (one sandbox per batch); default directly. */
  readonly launcher?: Launcher;
}

/** The random choices of one iteration, fixed by (seed, iteration). */
export function drawChoices(workload: StormWorkload, seed: number, iteration: number) {
  const random = iterationRandom(seed, iteration);
  const delayMs = drawInt(random, workload.at.delayMs);
  const plan: PlannedSignal[] = workload.signal.pattern.map((step) => ({
    signal: step.signal,
    gapMs: drawInt(random, step.afterMs),
  }));
  return { delayMs, plan };
}

/**
 * Runs one iteration: server, readiness observed on the kernel's socket tables, client, streams
 * established, the drawn delay, the signal pattern, exits or hang. Returns `null` when the storm was
 * stopped before the iteration finished (its processes are killed, nothing is recorded).
 */
export async function runIteration(ctx: IterationContext): Promise<IterationRecord | null> {
  const { workload: w, lane } = ctx;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { delayMs: drawn, plan } = drawChoices(w, ctx.seed, ctx.iteration);
  const judged = judgedSide(w);
  const scale = variantSlowdown[ctx.variant];
  const processes: SideProcess[] = [];
  let port = 0;

  const record = (
    outcomes: Partial<Record<Side, Outcome>>,
    extra: { delayMs?: number; readyMs?: number; signals?: DeliveredSignal[] } = {},
  ): IterationRecord => {
    const missing = harnessError('not started: the iteration ended before this side was spawned');
    const hasPeer = w.at.moment !== 'idle';
    return {
      schemaVersion: 1,
      stormId: ctx.stormId,
      workload: w.name,
      variant: ctx.variant,
      binary: ctx.binary,
      iteration: ctx.iteration,
      seed: ctx.seed,
      lane: lane.index,
      cpus: lane.cpuList,
      port: port || (lane.ports[0] ?? 1),
      delayMs: extra.delayMs ?? 0,
      moment: w.at.moment,
      ...(extra.readyMs === undefined ? {} : { readyMs: round(extra.readyMs) }),
      ...(extra.signals ? { signals: extra.signals } : {}),
      startedAt,
      durationMs: round(performance.now() - t0),
      target: { side: judged, outcome: outcomes[judged] ?? missing },
      peer: hasPeer ? { side: otherSide(judged), outcome: outcomes[otherSide(judged)] ?? missing } : null,
      repro: reproCommand({
        binary: ctx.binary,
        variant: ctx.variant,
        workloadRef: ctx.workloadRef,
        seed: ctx.seed,
        iteration: ctx.iteration,
        cpus: lane.cpuList,
      }),
    };
  };
  const harness = (reason: string, side: Side = judged) =>
    record({ [side]: harnessError(reason, { durationMs: performance.now() - t0 }) });

  const launcher = ctx.launcher;
  const netPid = launcher?.netPid;
  const acquired = await ctx.pool.acquirePort(lane, netPid);
  if (acquired === null) return harness(`no free port in lane ${lane.index}'s range (${lane.ports[0]}+)`);
  port = acquired;
  const placement = placeSides(w.pin, lane);
  if (placement.kind === 'impossible') return harness(placement.reason);
  const values = {
    port: String(port),
    host: w.host,
    streams: String(w.streams),
    seconds: String(w.seconds),
    rate: w.rate,
  };
  const env = sanitizerEnv(ctx.variant);

  try {
    const server = startSide({
      side: 'server',
      binary: ctx.binary,
      args: expandArgs(w.server.args, values),
      cpus: placement.server,
      env,
      ...(launcher ? { launcher } : {}),
    });
    processes.push(server);
    const listening = await waitForPort(port, (s) => s.listening, {
      watch: [server],
      timeoutMs: READY_BOUND_MS * scale,
      signal: ctx.signal,
      ...(netPid === undefined ? {} : { netPid }),
    });
    if (listening.kind === 'aborted') return null;
    if (listening.kind === 'exited') return record(await earlyExit(server, 'listening on its port'));
    if (listening.kind === 'timeout') {
      return harness(
        `the server did not listen on port ${port} within ${READY_BOUND_MS * scale} ms`,
        'server',
      );
    }

    let anchor = listening.atMs;
    let client: SideProcess | null = null;
    if (w.at.moment !== 'idle') {
      client = startSide({
        side: 'client',
        binary: ctx.binary,
        args: expandArgs(w.client.args, values),
        cpus: placement.client,
        env,
        ...(launcher ? { launcher } : {}),
      });
      processes.push(client);
      // The server's ends of the control connection and of every stream: counted, not guessed.
      const needed = w.at.moment === 'setup' ? 1 : w.streams + 1;
      const established = await waitForPort(port, (s) => s.established >= needed, {
        watch: [server, client],
        timeoutMs: READY_BOUND_MS * scale,
        signal: ctx.signal,
        ...(netPid === undefined ? {} : { netPid }),
      });
      if (established.kind === 'aborted') return null;
      if (established.kind === 'exited') {
        const what = `${needed} established connections on port ${port}`;
        return record(await earlyExit(established.process, what, processes));
      }
      if (established.kind === 'timeout') {
        const seen = established.state?.established ?? 0;
        return harness(
          `only ${seen} of ${needed} connections established on port ${port} within ${READY_BOUND_MS * scale} ms`,
        );
      }
      anchor = established.atMs;
    }
    const readyMs = anchor - t0;
    const delayMs = w.at.moment === 'end' ? Math.max(0, w.seconds * 1000 + drawn) : drawn;

    const signalled = w.signal.to === 'server' ? server : client;
    if (!signalled) return harness('the workload signals the client but none was started');
    const signals = await deliverPattern(signalled, plan, anchor + delayMs, ctx.signal);
    if (w.peer.exits === 'stopped-by-sigstorm') {
      const target = judged === 'server' ? server : client;
      const peer = judged === 'server' ? client : server;
      void target?.exited.then(() => peer?.running() && peer.signal('SIGTERM'));
    }
    const timeoutMs = w.hangTimeoutMs * scale;
    const ended = await awaitExits(processes, performance.now() + timeoutMs, ctx.signal);
    if (!ended) return null;

    const outcomes: Partial<Record<Side, Outcome>> = {};
    for (const p of processes) {
      const end = ended.get(p);
      if (end) outcomes[p.side] = classify(end, expectationsFor(w, p.side), timeoutMs);
    }
    return record(outcomes, { delayMs, readyMs, signals });
  } catch (error) {
    if (ctx.signal?.aborted) return null;
    throw error;
  } finally {
    await cleanUp(processes);
  }
}

/** What counts as a clean end for one side: the signals the workload sends it on purpose are not crashes. */
export function expectationsFor(w: StormWorkload, side: Side): Expectations {
  const judged = side === judgedSide(w);
  const cleanExitCodes = judged ? w.cleanExitCodes : (w.peer.cleanExitCodes ?? w.cleanExitCodes);
  const sent = w.signal.to === side ? w.signal.pattern.map((s) => s.signal) : [];
  const stopped = !judged && w.peer.exits === 'stopped-by-sigstorm' ? ['SIGTERM'] : [];
  // A caught SIGTERM ends in an exit code; only SIGKILL (uncatchable) is a clean death by signal.
  const cleanSignals = [...new Set([...sent.filter((s) => s === 'SIGKILL'), ...stopped])];
  return { cleanExitCodes, cleanSignals };
}

function classify(end: Ended, expect: Expectations, timeoutMs: number): Outcome {
  if (end.exit.spawnError) return harnessError(`spawn failed: ${end.exit.spawnError}`);
  return classifyProcess(
    {
      exitCode: end.exit.exitCode,
      signal: end.exit.signal,
      stdout: end.exit.stdout,
      stderr: end.exit.stderr,
      durationMs: round(end.exit.durationMs),
      timedOut: end.timedOut,
      ...(end.backtrace === undefined ? {} : { backtrace: end.backtrace }),
      timeoutMs,
    },
    expect,
  );
}

/**
 * A process exited before readiness was observed. A crash or sanitizer report is real evidence
 * against the code; any other early exit (port taken, bad arguments) means the workload never ran.
 */
async function earlyExit(
  process: SideProcess,
  waitingFor: string,
  all: readonly SideProcess[] = [process],
): Promise<Partial<Record<Side, Outcome>>> {
  for (const p of all) if (p !== process) killGroup(p.pid, 'SIGKILL');
  const exit = await process.exited;
  const outcome = classify({ exit, timedOut: false }, { cleanExitCodes: [], cleanSignals: [] }, 1);
  const how = exit.spawnError ?? (exit.signal ? `killed by ${exit.signal}` : `exit ${exit.exitCode}`);
  const first = exit.stderr.trim().split('\n')[0] ?? '';
  const real = outcome.kind === 'crash' || outcome.kind === 'sanitizer';
  const mine = real
    ? outcome
    : harnessError(`the ${process.side} ended (${how}) before ${waitingFor}${first ? `: ${first}` : ''}`, {
        durationMs: exit.durationMs,
        stderr: exit.stderr,
      });
  const other: Side = process.side === 'server' ? 'client' : 'server';
  return {
    [process.side]: mine,
    [other]: harnessError(`stopped by the harness: the ${process.side} ended before ${waitingFor}`),
  };
}

/** Nothing of an iteration outlives it: every group is SIGKILLed, reaped, and checked gone. */
async function cleanUp(processes: readonly SideProcess[]): Promise<void> {
  for (const p of processes) killGroup(p.pid, 'SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  for (const p of processes) {
    if (p.pid === undefined) continue;
    for (let tries = 0; groupAlive(p.pid); tries++) {
      if (tries > 500) throw new Error(`process group ${p.pid} survived SIGKILL for 1 s`);
      killGroup(p.pid, 'SIGKILL');
      await sleep(2);
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
