import { beforeAll, describe, expect, it } from 'vitest';
import { awaitExits } from '../../src/storm/await-exits.js';
import { judgeEnds } from '../../src/storm/judge-exits.js';
import { createLanePool, type LanePool } from '../../src/storm/lanes.js';
import { startSide } from '../../src/storm/side-process.js';
import { resolveStormWorkload } from '../../src/workload/load.js';
import type { StormWorkload } from '../../src/workload/schema.js';
import { strayProcesses } from '../support/stray-processes.js';
import { subjectBinary } from '../support/subject.js';
import { stormRecords } from '../support/thread-subjects.js';

// What a clean shutdown must leave besides the exit status: with -J one JSON document on stdout,
// and a persistent server that still serves the next client.
let pool: LanePool;
let subject = '';
const debian = '/usr/bin/iperf3';

beforeAll(async () => {
  pool = await createLanePool();
  subject = await subjectBinary('plain');
});

/** Judges a real process's exit as the judged server of server-sigterm-json. */
async function judgeServer(script: string) {
  const { workload } = await resolveStormWorkload('server-sigterm-json');
  const p = startSide({ side: 'server', binary: '/bin/sh', args: ['-c', script], cpus: '0', env: {} });
  const ended = await awaitExits([p], performance.now() + 5000);
  if (!ended) throw new Error('not ended');
  return judgeEnds(workload, ended, 5000).server;
}

const storm = (binary: string, workload: StormWorkload, n: number) =>
  stormRecords(pool, binary, workload, n, 4);

describe('shutdown checks', () => {
  it('-J after a signal: a document cut short is bad-output with its evidence; one document is clean', async () => {
    const bad = await judgeServer(`printf '{"start": {"connected": [' ; exit 1`);
    expect(bad).toMatchObject({
      kind: 'bad-output',
      exitCode: 1,
      signature: 'bad-output:stdout is not one JSON document',
    });
    if (bad?.kind === 'bad-output') expect(bad.stdoutHead).toBe('{"start": {"connected": [');
    expect(await judgeServer(`printf '{"a": 1}{"b": 2}' ; exit 1`)).toMatchObject({ kind: 'bad-output' });
    expect(await judgeServer('exit 1')).toMatchObject({
      kind: 'bad-output',
      problem: 'stdout is empty: no JSON document',
    });
    expect(await judgeServer(`printf '{"end": {}, "error": "interrupt"}\\n' ; exit 1`)).toMatchObject({
      kind: 'clean',
    });
  });

  it('the subject and iperf3 3.12 leave one JSON document when signalled, on either side', async () => {
    for (const binary of [subject, debian]) {
      for (const name of ['server-sigterm-json', 'client-sigterm-json']) {
        const records = await storm(binary, (await resolveStormWorkload(name)).workload, 2);
        expect(records.map((r) => r.target.outcome.kind)).toEqual(['clean', 'clean']);
      }
    }
  });

  it('a persistent server whose client was SIGKILLed serves the next client (subject, iperf3 3.12)', async () => {
    const { workload } = await resolveStormWorkload('persistent-server-client-killed');
    for (const binary of [subject, debian]) {
      const records = await storm(binary, workload, 2);
      expect(records.map((r) => [r.target.outcome.kind, r.followUp?.served])).toEqual([
        ['clean', true],
        ['clean', true],
      ]);
    }
  });

  it('a server whose forked helper keeps the listening socket is port-held, naming the helper', async () => {
    const leaky = await subjectBinary('plain', ['listener-inherited.patch']);
    const { workload } = await resolveStormWorkload('server-sigterm-json');
    const records = await storm(leaky, workload, 2);
    for (const r of records) {
      expect(r.target.outcome).toMatchObject({
        kind: 'port-held',
        signature: 'port-held:listening',
        port: r.port,
        listening: true,
      });
      // The holder is the helper the server forked: a process other than the server itself.
      const holders = r.target.outcome.kind === 'port-held' ? r.target.outcome.holders : [];
      expect(holders).toHaveLength(1);
      expect(holders[0]?.pid).not.toBe(r.census?.server?.pid);
    }
    // The helper outlived the server, not the storm: it went with the iteration's processes.
    const ports = pool.lanes.flatMap((l) => l.ports);
    expect(await strayProcesses({ binary: leaky, ports })).toEqual([]);
  });

  it('a server that stops after its first client (-1) is stuck-server, with the follow-up as evidence', async () => {
    const { workload } = await resolveStormWorkload('persistent-server-client-killed');
    // The real behaviour of `-s -1`: exactly a server that does not serve the next client.
    const oneShot: StormWorkload = { ...workload, server: { args: '-s -1 -p {port}' } };
    const [record] = await storm(debian, oneShot, 1);
    expect(record?.followUp).toMatchObject({ served: false, exitCode: 1, timedOut: false });
    expect(record?.target.outcome).toMatchObject({
      kind: 'stuck-server',
      signature: 'stuck-server:follow-up exit 1',
    });
  });

  it('leaves no process behind', async () => {
    const ports = pool.lanes.flatMap((l) => l.ports);
    for (const binary of [subject, debian]) {
      expect(await strayProcesses({ binary, ports, parentPid: process.pid })).toEqual([]);
    }
  });
});
