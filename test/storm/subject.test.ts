import { beforeAll, describe, expect, it } from 'vitest';
import { isFailure, outcomeClass, outcomeKinds } from '../../src/classify/outcome.js';
import { createLanePool, type LanePool } from '../../src/storm/lanes.js';
import type { IterationRecord } from '../../src/storm/record.js';
import { runIterations } from '../../src/storm/run-iterations.js';
import { summarise } from '../../src/storm/summarise.js';
import { resolveStormWorkload } from '../../src/workload/load.js';
import { strayProcesses } from '../support/stray-processes.js';
import { subjectBinary } from '../support/subject.js';

// The bundled multithreaded subject (one thread per stream, iperf3 3.18's signal architecture),
// unpatched and with the patches that reintroduce each bug class.
let pool: LanePool;
let plain = '';
let unblocked = '';
let sigpipe = '';

beforeAll(async () => {
  pool = await createLanePool();
  plain = await subjectBinary('plain');
  unblocked = await subjectBinary('plain', ['unblocked-worker-signals.patch']);
  sigpipe = await subjectBinary('plain', ['sigpipe-not-ignored.patch']);
});

/** Runs up to `max` iterations, stopping at the first iteration whose judged side ended in one of `stopOn`. */
async function stormUntilFailure(
  binary: string,
  name: string,
  max: number,
  seed: number,
  stopOn: readonly string[] = outcomeKinds.filter((kind) => outcomeClass[kind] === 'failure'),
) {
  const { workload } = await resolveStormWorkload(name);
  const controller = new AbortController();
  const { records } = await runIterations({
    pool,
    binary,
    variant: 'plain',
    workload,
    seed,
    iterations: Array.from({ length: max }, (_, i) => i),
    stormId: `subject-${name}`,
    signal: controller.signal,
    onRecord: (r) => {
      if (stopOn.includes(r.target.outcome.kind)) controller.abort();
    },
  });
  return records;
}

const failures = (records: readonly IterationRecord[]) => records.filter((r) => isFailure(r.target.outcome));

function hangsOf(records: readonly IterationRecord[]): string[] {
  return records.flatMap((r) => (r.target.outcome.kind === 'hang' ? [r.target.outcome.signature] : []));
}

describe('storms of the bundled subject', () => {
  it('unpatched: a short server-burst storm finds nothing, on either side', async () => {
    const records = await stormUntilFailure(plain, 'server-burst', 30, 21);
    expect(records).toHaveLength(30);
    expect(records.filter((r) => r.target.outcome.kind !== 'clean')).toEqual([]);
    expect(records.filter((r) => r.peer && r.peer.outcome.kind !== 'clean')).toEqual([]);
  });

  it('unblocked-worker-signals.patch: server-burst crashes the server, with evidence and a repro', async () => {
    // ~15-30% of iterations crash: 300 without one would mean the storm no longer reaches the race.
    // A longjmp onto the wrong thread's stack may also deadlock (a hang): evidence too, but the
    // issue asks for the crash, so the storm goes on until one.
    const records = await stormUntilFailure(unblocked, 'server-burst', 300, 22, ['crash', 'sanitizer']);
    const failure = records.find((r) => ['crash', 'sanitizer'].includes(r.target.outcome.kind));
    if (!failure) throw new Error(`no crash or sanitizer report in ${records.length} iterations`);
    expect(failure.target.side).toBe('server');
    if (failure.target.outcome.kind === 'crash') {
      expect(failure.target.outcome.signature).toMatch(/^crash:(SIG[A-Z]+|stack smashing)/);
    }
    expect(failure.signals?.map((s) => s.signal)).toEqual(['SIGTERM', 'SIGINT', 'SIGHUP']);
    expect(failure.repro).toContain(`--binary ${unblocked}`);
    expect(failure.repro).toContain(`--only-iteration ${failure.iteration}`);
    const summary = summarise(records, {
      stormId: 'subject-server-burst',
      workload: 'server-burst',
      variant: 'plain',
      binary: unblocked,
      seed: 22,
      lanes: pool.lanes.length,
      iterationsPlanned: 300,
      interrupted: true,
      elapsedMs: 1,
      resultsFile: '-',
    });
    expect(summary.outcomes.crash + summary.outcomes.sanitizer).toBeGreaterThanOrEqual(1);
    const signature = summary.signatures.find(
      (sig) => sig.role === 'target' && sig.firstIteration === failure.iteration,
    );
    expect(signature).toMatchObject({
      side: 'server',
      kind: failure.target.outcome.kind,
      repro: failure.repro,
    });
    expect(signature?.excerpt).not.toBe('');
    for (const hang of hangsOf(records)) console.info(`unblocked-worker-signals: also a hang: ${hang}`);
  });

  it('sigpipe-not-ignored.patch: peer-killed ends in SIGPIPE deaths of the server', async () => {
    const records = await stormUntilFailure(sigpipe, 'peer-killed', 20, 23);
    const [failure] = failures(records);
    expect(failure?.target).toMatchObject({ side: 'server', outcome: { kind: 'crash', signal: 'SIGPIPE' } });
    expect(failure?.peer?.outcome).toMatchObject({ kind: 'clean', signal: 'SIGKILL' });
  });

  it('leaves no process behind', async () => {
    const ports = pool.lanes.flatMap((l) => l.ports);
    for (const binary of [plain, unblocked, sigpipe]) {
      expect(await strayProcesses({ binary, ports, parentPid: process.pid })).toEqual([]);
    }
  });
});
