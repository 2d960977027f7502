import { closeSync, constants as fsConstants, mkdirSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { ThreadCensus } from '../threads/census.schema.js';
import { signalName } from '../threads/signal-set.js';
import { generateResults, type SignalTrace, type TracedSignal } from './trace.schema.js';
import { findTracefs, instanceName, removeInstance, sweepStaleInstances, writeControl } from './tracefs.js';

export interface SignalTracer {
  /** `off` with the reason when tracefs is not usable: everything else works without it. */
  readonly why: string | null;
  /** Opens an iteration's window, from now; it must be read or closed. */
  begin(): TraceWindowStart;
}

/** An open window of the trace, from its start (CLOCK_MONOTONIC, the instance's `mono` trace clock). */
export interface TraceWindowStart {
  readonly from: bigint;
  /** What the tracepoints saw of the process from the window's start until now; closes the window. */
  read(window: Omit<TraceWindow, 'from' | 'to'>): SignalTrace;
  /** Closes the window unread (idempotent). */
  close(): void;
}

export interface TraceWindow {
  readonly from: bigint;
  readonly to: bigint;
  readonly pid: number;
  readonly census: ThreadCensus | undefined;
  /** The pattern's signals that reached the process (kill or tgkill), in order. */
  readonly sent: readonly string[];
}

let tracer: SignalTracer | null = null;

/**
 * This process's signal tracer: a tracefs instance of its own (instances/sigstorm-<pid>), with
 * signal_generate and signal_deliver on, for this process and its descendants only (the storms'
 * processes: every iteration's server and client is started by it, through nsenter in a sandbox).
 * It is removed when the process exits; instances left by sigstorm processes that were killed
 * outright are removed by the next one that starts.
 *
 * The instance's lines are consumed from `trace_pipe` as the iterations read their windows and kept
 * in memory only while a window that may hold them is open: reading the whole `trace` buffer at each
 * iteration (a MiB a CPU once full, every signal of the machine) cost more CPU than the storm.
 */
export function signalTracer(): SignalTracer {
  tracer ??= open();
  return tracer;
}

function open(): SignalTracer {
  const found = findTracefs();
  if (found.kind === 'off') return off(found.why);
  const dir = join(found.root, 'instances', instanceName(process.pid));
  let pipe: number | null = null;
  // trace_pipe open keeps the instance busy: it is closed first.
  const remove = () => {
    if (pipe !== null) closeSync(pipe);
    pipe = null;
    removeInstance(dir);
  };
  try {
    sweepStaleInstances(found.root);
    mkdirSync(dir, { recursive: true });
    removeOnExit(remove);
    writeControl(join(dir, 'trace_clock'), 'mono');
    writeControl(join(dir, 'options', 'record-tgid'), '1');
    // This process and what it starts: children are added as they are forked (threads too).
    writeControl(join(dir, 'options', 'event-fork'), '1');
    writeControl(join(dir, 'set_event_pid'), String(process.pid));
    writeControl(join(dir, 'buffer_size_kb'), '1024');
    for (const event of ['signal_generate', 'signal_deliver']) {
      // SIGCHLD is the most frequent signal of a storm: every exit sends one.
      writeControl(join(dir, 'events', 'signal', event, 'filter'), `sig != ${constants.signals.SIGCHLD}`);
      writeControl(join(dir, 'events', 'signal', event, 'enable'), '1');
    }
    pipe = openSync(join(dir, 'trace_pipe'), fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    remove();
    return off(`could not set up the tracefs instance ${dir}: ${(error as Error).message}`);
  }
  const lines = traceLines(pipe);
  return {
    why: null,
    begin: () => lines.begin(),
  };
}

/**
 * The lines read from the instance's trace_pipe (non-blocking: what the kernel has committed), kept
 * from the start of the oldest window still open. Lanes run iterations side by side in one process:
 * each iteration's window holds the lines from its start until it is read or closed.
 */
function traceLines(pipe: number) {
  let kept: TraceLine[] = [];
  let partial = '';
  const open = new Set<bigint>();
  const buffer = Buffer.alloc(64 * 1024);
  const drain = () => {
    let text = partial;
    for (;;) {
      let n: number;
      try {
        n = readSync(pipe, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
      if (n === 0) break;
      text += buffer.toString('utf8', 0, n);
    }
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    if (end >= 0) kept.push(...parseTrace(text.slice(0, end)));
  };
  const prune = () => {
    if (open.size === 0) {
      kept = [];
      return;
    }
    let oldest = [...open][0] ?? 0n;
    for (const start of open) if (start < oldest) oldest = start;
    kept = kept.filter((l) => l.ns >= oldest);
  };
  return {
    begin(): TraceWindowStart {
      drain();
      if (open.size === 0) kept = [];
      const from = process.hrtime.bigint();
      // Two windows may start in the same ns: each holds its own entry.
      let key = from;
      while (open.has(key)) key++;
      open.add(key);
      const close = () => {
        if (open.delete(key)) prune();
      };
      return {
        from,
        read: (window) => {
          drain();
          const trace = parseWindow(kept, { ...window, from, to: process.hrtime.bigint() });
          close();
          return trace;
        },
        close,
      };
    },
  };
}

/**
 * Removes the instance when the process exits, also by a signal nobody else handles (Ctrl-C of a
 * library user, a test runner's SIGTERM): the signal is raised again afterwards, so it still kills.
 */
function removeOnExit(remove: () => void): void {
  process.on('exit', remove);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else (the storm command) stops gracefully on it: then 'exit' comes later.
      if (process.listenerCount(sig) > 1) return;
      remove();
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

function off(why: string): SignalTracer {
  const window: TraceWindowStart = {
    from: 0n,
    read: () => ({ kind: 'off', why }),
    close: () => undefined,
  };
  return { why, begin: () => window };
}

export interface TraceLine {
  readonly tid: number;
  readonly tgid: number | null;
  readonly ns: bigint;
  readonly event: 'signal_generate' | 'signal_deliver';
  readonly fields: Record<string, string>;
}

// "  iperf3-4242  (   4240) [001] d..1.  2336.459729: signal_deliver: sig=15 errno=0 code=0 …"
const LINE =
  /^\s*.*?-(\d+)\s+\(\s*([\d-]+)\)\s+\[\d+\]\s+\S+\s+(\d+)\.(\d+):\s+(signal_generate|signal_deliver):\s+(.*)$/;

export function parseTrace(text: string): TraceLine[] {
  const lines: TraceLine[] = [];
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const [, tid, tgid, secs, frac, event, rest] = m;
    const fields: Record<string, string> = {};
    for (const pair of (rest ?? '').split(' ')) {
      const eq = pair.indexOf('=');
      if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    lines.push({
      tid: Number(tid),
      tgid: /^\d+$/.test(tgid ?? '') ? Number(tgid) : null,
      ns: BigInt(secs ?? '0') * 1_000_000_000n + BigInt((frac ?? '0').padEnd(9, '0').slice(0, 9)),
      event: event as TraceLine['event'],
      fields,
    });
  }
  return lines;
}

/** The iteration's part of the trace: the pattern's signals matched to their generation and delivery. */
export function parseWindow(lines: readonly TraceLine[], w: TraceWindow): SignalTrace {
  const tids = new Set([w.pid, ...(w.census?.threads.map((t) => t.tid) ?? [])]);
  const role = (tid: number) => w.census?.threads.find((t) => t.tid === tid)?.role ?? 'unknown';
  const mine = lines.filter((l) => l.ns >= w.from && l.ns <= w.to);
  const generated = mine.filter((l) => l.event === 'signal_generate' && tids.has(Number(l.fields.pid)));
  const delivered = mine.filter((l) => l.event === 'signal_deliver' && (l.tgid === w.pid || tids.has(l.tid)));
  const used = new Set<TraceLine>();
  const sigwait = w.census?.threads.some((t) => t.wchan?.startsWith('do_sigtimedwait')) ?? false;
  const signals: TracedSignal[] = [];
  for (const name of w.sent) {
    const number = String(constants.signals[name as NodeJS.Signals] ?? -1);
    const gen = generated.find((l) => !used.has(l) && l.fields.sig === number);
    if (!gen) continue;
    used.add(gen);
    const result = generateResults[Number(gen.fields.res)] ?? 'delivered';
    // A thread-directed signal (grp=0) can only be taken by its thread; a process-directed one by any.
    const directed = gen.fields.grp === '0' ? Number(gen.fields.pid) : null;
    const taken =
      result === 'delivered'
        ? delivered.find(
            (l) =>
              !used.has(l) &&
              l.fields.sig === number &&
              l.ns >= gen.ns &&
              (directed === null || l.tid === directed),
          )
        : undefined;
    if (taken) used.add(taken);
    const fatal = name === 'SIGKILL' || !(w.census?.caught.includes(name) ?? true);
    signals.push({
      signal: name,
      generated: result,
      takenBy: taken ? { tid: taken.tid, role: role(taken.tid) } : null,
      pendingAtExit: taken || result !== 'delivered' ? false : sigwait || fatal ? null : true,
    });
  }
  const others = delivered
    .filter((l) => !used.has(l))
    .map((l) => ({ signal: signalName(Number(l.fields.sig)), tid: l.tid, role: role(l.tid) }));
  return { kind: 'traced', signals, others };
}
