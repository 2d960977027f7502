import { basename } from 'node:path';
import { harnessError } from '../classify/classify-process.js';
import { judgedSide, type StormWorkload } from '../workload/schema.js';
import type { Side } from '../workload/side.js';
import { awaitExits } from './await-exits.js';
import { type Delivery, deliverPattern, type PlannedSignal, SNAPSHOT_LEAD_MS } from './deliver.js';
import { followUpClient } from './follow-up.js';
import {
  type IterationIdentity,
  type IterationObservations,
  iterationRecord,
  type SideOutcomes,
} from './iteration-record.js';
import { claimSetup, type Setup, type SetupContext, spawnSide, variantSlowdown } from './iteration-setup.js';
import { earlyExit, judgeEnds } from './judge-exits.js';
import { type Launched, type LaunchPad, launchedProcesses } from './launch-pad.js';
import { type PhaseMarks, phasesOf } from './phases.js';
import { portHeldAfterExit } from './port-release.js';
import { drawInt, iterationRandom } from './prng.js';
import { commOf, waitForPort } from './readiness.js';
import type { IterationRecord } from './record.js';
import { killAndReap, type SideProcess } from './side-process.js';
import { signalTracer } from './trace/signal-tracer.js';

export interface IterationContext extends IterationIdentity, SetupContext {
  readonly signal?: AbortSignal;
  /**
   * The batch's launches on this lane: this iteration takes the sides launched for it, if any, and
   * launches the next one's during its delay window when there is room (src/storm/launch-pad.ts).
   */
  readonly pad?: LaunchPad;
}

/** The random choices of one iteration, fixed by (seed, iteration). */
export function drawChoices(workload: StormWorkload, seed: number, iteration: number) {
  const random = iterationRandom(seed, iteration);
  const delayMs = drawInt(random, workload.at.delayMs);
  const plan: PlannedSignal[] = workload.signal.pattern.map((step) => ({
    signal: step.signal,
    ...(step.to && step.to !== workload.signal.to ? { to: step.to } : {}),
    gapMs: drawInt(random, step.afterMs),
    ...(step.thread === 'process' ? {} : { thread: step.thread, turn: iteration }),
    ...(step.until ? { until: step.until, untilMs: step.untilMs } : {}),
  }));
  return { delayMs, plan };
}

/** A step either hands the next one its result or ends the iteration (`null` outcomes: the storm was stopped). */
type Step<T> =
  | { readonly kind: 'next'; readonly value: T }
  | { readonly kind: 'end'; readonly outcomes: SideOutcomes | null };

const next = <T>(value: T): Step<T> => ({ kind: 'next', value });
const end = (outcomes: SideOutcomes | null): Step<never> => ({ kind: 'end', outcomes });

/**
 * Runs one iteration: server, readiness observed on the kernel's socket tables, client, streams
 * established, the drawn delay, the signal pattern, exits or hang. Returns `null` when the storm was
 * stopped before the iteration finished (its processes are killed, nothing is recorded).
 */
export async function runIteration(ctx: IterationContext): Promise<IterationRecord | null> {
  const clock = { startedAt: new Date().toISOString(), t0: performance.now() };
  const marks: PhaseMarks = { t0: clock.t0 };
  const trace = signalTracer().begin();
  let port = 0;
  const finish = (outcomes: SideOutcomes | null, seen?: IterationObservations) =>
    outcomes && iterationRecord(ctx, clock, port, outcomes, seen);
  const harness = (reason: string, side: Side = judgedSide(ctx.workload)): SideOutcomes => ({
    [side]: harnessError(reason, { durationMs: performance.now() - clock.t0 }),
  });

  // 1. A port of the lane's range and each side's CPUs: those of the sides launched for it, if any.
  const launched = (await ctx.pad?.take()) ?? null;
  const setup = launched ? next(launched.setup) : await claimPortAndCpus(ctx, harness);
  if (setup.kind === 'end') return finish(setup.outcomes);
  port = setup.value.port;

  const processes: SideProcess[] = launched ? launchedProcesses(launched) : [];
  try {
    // 2. The server, until it listens.
    const server = await startServer(ctx, setup.value, launched, processes, harness, marks);
    if (server.kind === 'end') return finish(server.outcomes);

    // 3. The client, until the moment's connections are established (none for an idle server).
    const started = await startClient(ctx, setup.value, server.value, processes, harness, marks);
    if (started.kind === 'end') return finish(started.outcomes);
    const { client, anchor } = started.value;

    // 4. The drawn delay after the moment, then the signal pattern.
    const delivered = await deliverSignals(ctx, setup.value, server.value.process, client, anchor, harness);
    if (delivered.kind === 'end') return finish(delivered.outcomes);

    // 5. Every process exits, or hangs past the timeout; each side is judged.
    const timeoutMs = ctx.workload.hangTimeoutMs * variantSlowdown[ctx.variant];
    const followUpSetup = {
      binary: ctx.binary,
      ...setup.value,
      cpus: setup.value.cpus.client,
      ...(ctx.launcher ? { launcher: ctx.launcher } : {}),
    };
    const server$ = server.value.process;
    const followUp = await followUpClient(
      ctx.workload,
      followUpSetup,
      server$,
      client,
      timeoutMs,
      ctx.signal,
    );
    const ended = await awaitExits(processes, performance.now() + timeoutMs, ctx.signal);
    if (!ended) return null;
    marks.exited = performance.now();
    // Only when every process exited on its own: a hung one was killed and holds nothing.
    const held =
      judgedSide(ctx.workload) === 'server' && [...ended.values()].every((e) => !e.timedOut)
        ? await portHeldAfterExit(port, ctx.launcher?.netPid)
        : null;
    const readyMs = anchor - clock.t0;
    const { signalled, ...seen } = delivered.value;
    const traced = trace.read({
      pid: signalled.programPid() ?? signalled.pid ?? 0,
      census: seen.census[signalled.side],
      sent: seen.signals
        .filter((s) => s.delivered && (s.to ?? signalled.side) === signalled.side)
        .map((s) => s.signal),
    });
    const judged = judgeEnds(ctx.workload, ended, timeoutMs, followUp, held);
    const firstAt = seen.signals[0]?.atMs ?? 0;
    marks.firstSignal = anchor + delivered.value.delayMs + firstAt;
    marks.lastSignal = anchor + delivered.value.delayMs + (seen.signals.at(-1)?.atMs ?? firstAt);
    marks.judged = performance.now();
    // Cleanup before the record, so that its duration and phases hold the whole iteration.
    await killAndReap(processes.splice(0));
    marks.cleaned = performance.now();
    const phases = phasesOf(marks);
    return finish(judged, {
      ...seen,
      readyMs,
      trace: traced,
      ...(followUp ? { followUp } : {}),
      ...(phases ? { phases } : {}),
    });
  } catch (error) {
    if (ctx.signal?.aborted) return null;
    throw error;
  } finally {
    trace.close();
    await killAndReap(processes);
  }
}

type Harness = (reason: string, side?: Side) => SideOutcomes;

async function claimPortAndCpus(ctx: IterationContext, harness: Harness): Promise<Step<Setup>> {
  const setup = await claimSetup(ctx);
  return 'failed' in setup ? end(harness(setup.failed)) : next(setup);
}

function spawn(ctx: IterationContext, setup: Setup, side: Side, processes: SideProcess[], gated = false) {
  const started = spawnSide(ctx, setup, side, gated);
  processes.push(started);
  return started;
}

/**
 * Starts the server and waits until the kernel shows its port listening: released at its gate when
 * it was launched during the previous iteration, else launched now. The client's launch chain
 * (sandbox entry, taskset) runs meanwhile (or ran already), gated: its program runs only once released.
 */
async function startServer(
  ctx: IterationContext,
  setup: Setup,
  launched: Launched | null,
  processes: SideProcess[],
  harness: Harness,
  marks: PhaseMarks,
): Promise<Step<{ process: SideProcess; listeningAt: number; client: SideProcess | null }>> {
  const server = launched?.server ?? spawn(ctx, setup, 'server', processes);
  marks.serverSpawn = launched ? server.release() : server.spawnedAt;
  const client = launched
    ? launched.client
    : ctx.workload.at.moment === 'idle'
      ? null
      : spawn(ctx, setup, 'client', processes, true);
  const listening = await waitForPort(setup.port, (s) => s.listening, {
    watch: [server],
    exec: { process: server, comm: commOf(basename(ctx.binary)) },
    timeoutMs: setup.readyBoundMs,
    signal: ctx.signal,
    ...(ctx.launcher ? { netPid: ctx.launcher.netPid } : {}),
  });
  switch (listening.kind) {
    case 'aborted':
      return end(null);
    case 'exited':
      return end(await earlyExit(server, 'listening on its port'));
    case 'timeout':
      return end(
        harness(`the server did not listen on port ${setup.port} within ${setup.readyBoundMs} ms`, 'server'),
      );
    case 'ready':
      marks.serverExec = listening.execAtMs;
      return next({ process: server, listeningAt: listening.atMs, client });
  }
}

/**
 * Releases the gated client (unless the moment is idle) and waits for the server's ends of the control
 * connection and, past setup, of every stream: counted on the port, not guessed. The anchor is when
 * the moment was observed.
 */
async function startClient(
  ctx: IterationContext,
  setup: Setup,
  server: { process: SideProcess; listeningAt: number; client: SideProcess | null },
  processes: SideProcess[],
  harness: Harness,
  marks: PhaseMarks,
): Promise<Step<{ client: SideProcess | null; anchor: number }>> {
  const w = ctx.workload;
  const client = server.client;
  if (!client) {
    marks.anchor = server.listeningAt;
    return next({ client: null, anchor: server.listeningAt });
  }
  marks.clientSpawn = client.release();
  const needed = w.at.moment === 'setup' ? 1 : w.streams + 1;
  const established = await waitForPort(setup.port, (s) => s.established >= needed, {
    watch: [server.process, client],
    exec: { process: client, comm: commOf(basename(ctx.binary)) },
    timeoutMs: setup.readyBoundMs,
    signal: ctx.signal,
    ...(ctx.launcher ? { netPid: ctx.launcher.netPid } : {}),
  });
  switch (established.kind) {
    case 'aborted':
      return end(null);
    case 'exited': {
      const what = `${needed} established connections on port ${setup.port}`;
      return end(await earlyExit(established.process, what, processes));
    }
    case 'timeout': {
      const seen = established.state?.established ?? 0;
      return end(
        harness(
          `only ${seen} of ${needed} connections established on port ${setup.port} within ${setup.readyBoundMs} ms`,
        ),
      );
    }
    case 'ready':
      marks.clientExec = established.execAtMs;
      marks.anchor = established.atMs;
      return next({ client, anchor: established.atMs });
  }
}

/**
 * Delivers the pattern at anchor + the drawn delay (`end`: counted from the planned end of the
 * transfer), and arranges the peer's SIGTERM when sigstorm stops it.
 */
async function deliverSignals(
  ctx: IterationContext,
  setup: Setup,
  server: SideProcess,
  client: SideProcess | null,
  anchor: number,
  harness: Harness,
): Promise<Step<{ delayMs: number; signalled: SideProcess } & Delivery>> {
  const w = ctx.workload;
  const { delayMs: drawn, plan } = drawChoices(w, ctx.seed, ctx.iteration);
  const delayMs = w.at.moment === 'end' ? Math.max(0, w.seconds * 1000 + drawn) : drawn;
  const signalled = w.signal.to === 'server' ? server : client;
  if (!signalled) return end(harness('the workload signals the client but none was started'));
  const judged = judgedSide(w);
  const target = judged === 'server' ? server : client;
  const start = anchor + delayMs;
  const peer = signalled === server ? client : server;
  // The next iteration's launch, while this one waits: done before the stack snapshot's lead, if any,
  // and the first signal, or not at all (its own start-up then launches it).
  const launching = ctx.pad?.prepare(start + (plan[0]?.gapMs ?? 0) - SNAPSHOT_LEAD_MS);
  // The cell's first iteration names the threads by their start routines (one stack snapshot).
  const delivery = await deliverPattern(
    signalled,
    plan,
    start,
    ctx.signal,
    target,
    setup.port,
    peer,
    ctx.iteration === 0,
  );
  await launching;
  if (w.peer.exits === 'stopped-by-sigstorm') {
    const peer = judged === 'server' ? client : server;
    void target?.exited.then(() => peer?.running() && peer.signal('SIGTERM'));
  }
  return next({ delayMs, signalled, ...delivery });
}
