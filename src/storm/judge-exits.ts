import { classifyProcess, type Expectations, harnessError } from '../classify/classify-process.js';
import { jsonDocumentProblem } from '../classify/json-document.js';
import type { Outcome } from '../classify/outcome.js';
import { judgedSide, type StormWorkload, signalsTo } from '../workload/schema.js';
import type { Side } from '../workload/side.js';
import type { Ended } from './await-exits.js';
import type { FollowUp } from './follow-up.js';
import { roundMs, type SideOutcomes } from './iteration-record.js';
import type { PortHeld } from './port-release.js';
import type { SideProcess } from './side-process.js';

/** Signals that do not ask a process to shut down: it dies of them or carries on. */
const untermed: readonly string[] = ['SIGKILL', 'SIGSTOP', 'SIGCONT'];

/** What counts as a clean end for one side: the signals the workload sends it on purpose are not crashes. */
export function expectationsFor(w: StormWorkload, side: Side): Expectations {
  const judged = side === judgedSide(w);
  const cleanExitCodes = judged ? w.cleanExitCodes : (w.peer.cleanExitCodes ?? w.cleanExitCodes);
  const sent = signalsTo(w, side);
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

/**
 * The outcomes of every process that ran to its end (or hung) after the pattern. A clean exit of
 * the judged side is then held to what a clean shutdown must leave: with -J after a signal, one
 * JSON document on stdout; for a persistent server, a served follow-up client; for a server, its
 * port released once every process exited.
 */
export function judgeEnds(
  w: StormWorkload,
  ended: ReadonlyMap<SideProcess, Ended>,
  timeoutMs: number,
  followUp: FollowUp | null = null,
  held: PortHeld | null = null,
): SideOutcomes {
  const outcomes: SideOutcomes = {};
  for (const [p, end] of ended) {
    const outcome = classifyEnd(end, expectationsFor(w, p.side), timeoutMs);
    outcomes[p.side] =
      p.side === judgedSide(w) ? shutdownCheck(w, p.side, end, outcome, followUp, held) : outcome;
  }
  return outcomes;
}

function shutdownCheck(
  w: StormWorkload,
  side: Side,
  end: Ended,
  outcome: Outcome,
  followUp: FollowUp | null,
  held: PortHeld | null,
): Outcome {
  if (outcome.kind !== 'clean') return outcome;
  const common = {
    exitCode: end.exit.exitCode,
    signal: end.exit.signal,
    durationMs: outcome.durationMs,
    stderrHead: outcome.stderrHead,
  };
  // A termination signal asks for a clean shutdown; SIGKILL, SIGSTOP and SIGCONT do not.
  const signalled = signalsTo(w, side).some((s) => !untermed.includes(s));
  const problem =
    signalled && /(^|\s)-J(\s|$)/.test(w[side].args) ? jsonDocumentProblem(end.exit.stdout) : null;
  if (problem) {
    return {
      kind: 'bad-output',
      ...common,
      problem,
      signature: `bad-output:${problem.replace(/\d+/g, 'N').split(':')[0]}`,
      stdoutHead: end.exit.stdout.slice(0, 2000),
    };
  }
  if (followUp && !followUp.served) {
    const how = followUp.timedOut
      ? 'timeout'
      : followUp.signal
        ? followUp.signal
        : `exit ${followUp.exitCode}`;
    return {
      kind: 'stuck-server',
      ...common,
      signature: `stuck-server:follow-up ${how}`,
      followUp: {
        exitCode: followUp.exitCode,
        signal: followUp.signal,
        timedOut: followUp.timedOut,
        stderrHead: followUp.stderrHead,
      },
    };
  }
  if (side === 'server' && held) {
    return {
      kind: 'port-held',
      ...common,
      signature: `port-held:${held.listening ? 'listening' : 'established'}`,
      ...held,
      holders: [...held.holders],
    };
  }
  return outcome;
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
  for (const p of all) if (p !== process) p.kill();
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
