import { constants } from 'node:os';
import { findFatalMarker } from './fatal-markers.js';
import { hangSignature, parseGdbBacktrace } from './hang-signature.js';
import { normaliseLine, splitLines, stderrHead } from './normalise.js';
import type { Outcome } from './outcome.js';
import { findingsOf, findSanitizerReports, primaryReport } from './sanitizer-report.js';
import { describeFrame, signatureFrames } from './stack-frames.js';

/** How one process of an iteration ended, as the runner observed it. */
export interface ProcessEnd {
  /** `null` when killed by a signal. */
  exitCode: number | null;
  /** e.g. `'SIGSEGV'` when killed by a signal. */
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The runner gave up waiting: a hang; it captured `backtrace` before SIGKILL. */
  timedOut: boolean;
  /** gdb all-thread backtraces when `timedOut`. */
  backtrace?: string;
  timeoutMs: number;
}

/** What counts as a clean end for this process in this workload. */
export interface Expectations {
  /** e.g. `[0, 1]` (iperf3 3.18 exits 1 on SIGTERM, 3.19+ 0). */
  cleanExitCodes: readonly number[];
  /** Deaths that count as clean, e.g. `['SIGKILL']` for a side the harness SIGKILLed on purpose. */
  cleanSignals: readonly string[];
}

/** How many frames of a sanitizer report's first stack an outcome keeps for people to read. */
const framesKept = 12;

/**
 * Says what happened to one process, with the evidence. The order is the order of trust:
 * no exit in time is a hang whatever was printed before; a sanitizer report beats the exit status or
 * signal it caused; a fatal marker on stderr (`*** stack smashing detected ***`) is a crash even when
 * the process then exited 1 with its normal message; only then do the signal and the exit code speak.
 */
export function classifyProcess(end: ProcessEnd, expect: Expectations): Outcome {
  const reports = findSanitizerReports(end.stderr);
  const primary = primaryReport(reports);
  const marker = findFatalMarker(end.stderr);
  const durationMs = end.durationMs;
  const head = stderrHead(end.stderr, marker ? [marker.line] : []);

  if (end.timedOut) {
    const backtrace = end.backtrace ?? '[sigstorm: no backtrace was captured]';
    const findings = reports.length > 0 ? { findings: findingsOf(reports, primary) } : {};
    return {
      kind: 'hang',
      timeoutMs: Math.max(1, Math.round(end.timeoutMs)),
      signature: hangSignature(backtrace),
      backtrace,
      ...findings,
      durationMs,
      stderrHead: head,
    };
  }

  if (primary) {
    return {
      kind: 'sanitizer',
      tool: primary.tool,
      reportKind: primary.reportKind,
      signature: primary.signature,
      frames: primary.frames.slice(0, framesKept).map(describeFrame),
      report: primary.text,
      more: reports.length - 1,
      findings: findingsOf(reports, primary),
      exitCode: end.exitCode,
      signal: end.signal,
      durationMs,
      stderrHead: head,
    };
  }

  const uncleanSignal = end.signal !== null && !expect.cleanSignals.includes(end.signal);
  if (marker || uncleanSignal) {
    const cause = marker ? marker.name : (end.signal ?? 'unknown signal');
    const top = end.backtrace ? backtraceTop(end.backtrace) : [];
    return {
      kind: 'crash',
      signal: end.signal,
      exitCode: end.exitCode,
      signature: `crash:${cause}${top.length > 0 ? ` in ${top.join(' < ')}` : ''}`,
      durationMs,
      stderrHead: head,
    };
  }

  if (end.signal !== null) {
    return {
      kind: 'clean',
      exitCode: 128 + signalNumber(end.signal),
      signal: end.signal,
      durationMs,
      stderrHead: head,
    };
  }
  if (end.exitCode === null) {
    return harnessError('the process ended with neither an exit code nor a signal', {
      durationMs,
      stderr: end.stderr,
    });
  }
  if (expect.cleanExitCodes.includes(end.exitCode)) {
    return { kind: 'clean', exitCode: end.exitCode, durationMs, stderrHead: head };
  }
  const line = distinctiveLine(end.stderr);
  return {
    kind: 'bad-exit',
    exitCode: end.exitCode,
    signature: `exit:${end.exitCode}${line ? ` ${line}` : ''}`,
    durationMs,
    stderrHead: head,
  };
}

/** The outcome for an iteration the harness itself could not run (port busy, spawn failure…). */
export function harnessError(
  reason: string,
  options: { durationMs?: number; stderr?: string } = {},
): Outcome {
  return {
    kind: 'harness-error',
    reason,
    durationMs: Math.max(0, options.durationMs ?? 0),
    stderrHead: stderrHead(options.stderr ?? ''),
  };
}

function signalNumber(signal: string): number {
  const signals: Readonly<Record<string, number | undefined>> = constants.signals;
  return signals[signal] ?? 0;
}

/** Top frames of the first thread of a gdb backtrace (crashes rarely have one; hangs always do). */
function backtraceTop(backtrace: string): string[] {
  const first = parseGdbBacktrace(backtrace)[0];
  if (!first) return [];
  return signatureFrames(first.frames.filter((frame) => frame !== null));
}

/** The stderr line that says what went wrong: the first mentioning an error, else the first at all. */
function distinctiveLine(stderr: string): string {
  const lines = splitLines(stderr).filter((line) => line.trim() !== '');
  const line = lines.find((l) => /error|fail|fatal|unable|cannot|can't/i.test(l)) ?? lines[0] ?? '';
  return normaliseLine(line);
}
