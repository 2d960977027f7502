import { classifyProcess, type Expectations, harnessError } from '../classify/classify-process.js';
import type { Outcome } from '../classify/outcome.js';
import { judgedSide, type StormWorkload } from '../workload/schema.js';
import type { Side } from '../workload/side.js';
import type { Ended } from './await-exits.js';
import { roundMs, type SideOutcomes } from './iteration-record.js';
import { killGroup, type SideProcess } from './side-process.js';

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

/** The outcome of one process's end, judged against what the workload expects of its side. */
export function classifyEnd(end: Ended, expect: Expectations, timeoutMs: number): Outcome {
  if (end.exit.spawnError) return harnessError(`spawn failed: ${end.exit.spawnError}`);
  return classifyProcess(
    {
      exitCode: end.exit.exitCode,
      signal: end.exit.signal,
      stdout: end.exit.stdout,
      stderr: end.exit.stderr,
      durationMs: roundMs(end.exit.durationMs),
      timedOut: end.timedOut,
      ...(end.backtrace === undefined ? {} : { backtrace: end.backtrace }),
      timeoutMs,
    },
    expect,
  );
}

/** The outcomes of every process that ran to its end (or hung) after the pattern. */
export function judgeEnds(
  w: StormWorkload,
  ended: ReadonlyMap<SideProcess, Ended>,
  timeoutMs: number,
): SideOutcomes {
  const outcomes: SideOutcomes = {};
  for (const [p, end] of ended) outcomes[p.side] = classifyEnd(end, expectationsFor(w, p.side), timeoutMs);
  return outcomes;
}

/**
 * A process exited before readiness was observed. A crash or sanitizer report is real evidence
 * against the code; any other early exit (port taken, bad arguments) means the workload never ran.
 */
export async function earlyExit(
  process: SideProcess,
  waitingFor: string,
  all: readonly SideProcess[] = [process],
): Promise<SideOutcomes> {
  for (const p of all) if (p !== process) killGroup(p.pid, 'SIGKILL');
  const exit = await process.exited;
  const outcome = classifyEnd({ exit, timedOut: false }, { cleanExitCodes: [], cleanSignals: [] }, 1);
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
