import { mkdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { ThreadCensus } from '../threads/census.schema.js';
import { signalName } from '../threads/signal-set.js';
import { generateResults, type SignalTrace, type TracedSignal } from './trace.schema.js';
import {
  findTracefs,
  instanceName,
  readControl,
  removeInstance,
  sweepStaleInstances,
  writeControl,
} from './tracefs.js';

export interface SignalTracer {
  /** `off` with the reason when tracefs is not usable: everything else works without it. */
  readonly why: string | null;
  /** CLOCK_MONOTONIC now, in ns: the instance's trace clock is `mono`, the same clock. */
  now(): bigint;
  /** What the tracepoints saw of the process between `from` and `to` (ns). */
  read(window: TraceWindow): SignalTrace;
  /**
   * Opens an iteration's window (`from`: now). The instance records every signal of the machine
   * (SIGCHLD aside), and reading a full buffer costs 0.2-0.6 s: once the last open window is closed,
   * nobody will read what it holds, and it is emptied.
   */
  begin(): TraceSpan;
}

export interface TraceSpan {
  readonly from: bigint;
  /** After the window was read (or will never be). Idempotent. */
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
 * signal_generate and signal_deliver on. It is removed when the process exits; instances left by
 * sigstorm processes that were killed outright are removed by the next one that starts.
 */
export function signalTracer(): SignalTracer {
  tracer ??= open();
  return tracer;
}

function open(): SignalTracer {
  const found = findTracefs();
  if (found.kind === 'off') return off(found.why);
  const dir = join(found.root, 'instances', instanceName(process.pid));
  try {
    sweepStaleInstances(found.root);
    mkdirSync(dir, { recursive: true });
    removeOnExit(dir);
    writeControl(join(dir, 'trace_clock'), 'mono');
    // Reading `trace` must not pause the recording of the other lanes' iterations.
    writeControl(join(dir, 'options', 'pause-on-trace'), '0');
    writeControl(join(dir, 'options', 'record-tgid'), '1');
    writeControl(join(dir, 'buffer_size_kb'), '1024');
    for (const event of ['signal_generate', 'signal_deliver']) {
      // SIGCHLD is the only frequent signal on a machine running storms: every exit sends one.
      writeControl(join(dir, 'events', 'signal', event, 'filter'), `sig != ${constants.signals.SIGCHLD}`);
      writeControl(join(dir, 'events', 'signal', event, 'enable'), '1');
    }
  } catch (error) {
    removeInstance(dir);
    return off(`could not set up the tracefs instance ${dir}: ${(error as Error).message}`);
  }
  let open = 0;
  return {
    why: null,
    now: () => process.hrtime.bigint(),
    read: (window) => parseWindow(readControl(join(dir, 'trace')), window),
    begin: () => {
      open++;
      let closed = false;
      return {
        from: process.hrtime.bigint(),
        close: () => {
          if (closed) return;
          closed = true;
          if (--open === 0) clearBuffer(join(dir, 'trace'));
        },
      };
    },
  };
}

/** Truncating `trace` empties the instance's ring buffer; a failure leaves it as it was (slower reads). */
function clearBuffer(trace: string): void {
  try {
    writeFileSync(trace, '');
  } catch {
    // Reading still works, over the whole buffer.
  }
}

/**
 * Removes the instance when the process exits, also by a signal nobody else handles (Ctrl-C of a
 * library user, a test runner's SIGTERM): the signal is raised again afterwards, so it still kills.
 */
function removeOnExit(dir: string): void {
  const remove = () => removeInstance(dir);
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
  const now = () => process.hrtime.bigint();
  return {
    why,
    now,
    read: () => ({ kind: 'off', why }),
    begin: () => ({ from: now(), close: () => undefined }),
  };
}

interface Line {
  readonly tid: number;
  readonly tgid: number | null;
  readonly ns: bigint;
  readonly event: 'signal_generate' | 'signal_deliver';
  readonly fields: Record<string, string>;
}

// "  iperf3-4242  (   4240) [001] d..1.  2336.459729: signal_deliver: sig=15 errno=0 code=0 …"
const LINE =
  /^\s*.*?-(\d+)\s+\(\s*([\d-]+)\)\s+\[\d+\]\s+\S+\s+(\d+)\.(\d+):\s+(signal_generate|signal_deliver):\s+(.*)$/;

export function parseTrace(text: string): Line[] {
  const lines: Line[] = [];
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
      event: event as Line['event'],
      fields,
    });
  }
  return lines;
}

/** The iteration's part of the trace: the pattern's signals matched to their generation and delivery. */
export function parseWindow(text: string, w: TraceWindow): SignalTrace {
  const tids = new Set([w.pid, ...(w.census?.threads.map((t) => t.tid) ?? [])]);
  const role = (tid: number) => w.census?.threads.find((t) => t.tid === tid)?.role ?? 'unknown';
  const mine = parseTrace(text).filter((l) => l.ns >= w.from && l.ns <= w.to);
  const generated = mine.filter((l) => l.event === 'signal_generate' && tids.has(Number(l.fields.pid)));
  const delivered = mine.filter((l) => l.event === 'signal_deliver' && (l.tgid === w.pid || tids.has(l.tid)));
  const used = new Set<Line>();
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
