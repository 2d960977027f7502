import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, killAll, waitConnections, waitListening } from '../support/loopback.js';
import { strayProcesses } from '../support/stray-processes.js';
import { subjectBinary } from '../support/subject.js';

const running: ResultPromise[] = [];
afterEach(() => killAll(running));

const programs: Record<string, () => Promise<string>> = {
  'the test subject': () => subjectBinary('plain'),
  "Debian's iperf3": async () => '/usr/bin/iperf3',
};

describe.each(Object.keys(programs))('%s on loopback', (name) => {
  let iperf3 = '';
  beforeAll(async () => {
    iperf3 = await (programs[name] ?? (() => Promise.reject(new Error(name))))();
  });

  const options = { reject: false, timeout: 30_000, stdin: 'ignore' } as const;
  type Child = ResultPromise<typeof options>;

  function start(args: string[]): Child {
    const child = execa(iperf3, args, options);
    running.push(child);
    return child;
  }

  async function startServer(extra: string[] = []): Promise<{ server: Child; port: number }> {
    const port = await findFreePort();
    const server = start(['-s', '-p', String(port), ...extra]);
    await waitListening(server, port);
    return { server, port };
  }

  it('exchanges data with two streams and reports it in -J output', async () => {
    const { server, port } = await startServer(['-1']);
    const client = await start(['-c', '127.0.0.1', '-p', String(port), '-t', '1', '-P', '2', '-J']);
    expect(client.exitCode, client.stderr).toBe(0);
    const report = JSON.parse(client.stdout);
    expect(report.error).toBeUndefined();
    expect(report.end.sum_sent.bits_per_second).toBeGreaterThan(0);
    expect(report.end.sum_received.bits_per_second).toBeGreaterThan(0);
    expect(report.end.sum_sent.bytes).toBeGreaterThan(0);
    // -1: the server ends by itself after one test.
    expect((await server).exitCode).toBe(0);
    expect(await strayProcesses({ binary: iperf3, ports: [port] })).toEqual([]);
  });

  it("ends a server with SIGTERM mid-transfer with iperf3's message and exit status 1", async () => {
    const { server, port } = await startServer();
    const client = start(['-c', '127.0.0.1', '-p', String(port), '-t', '10', '-P', '2']);
    // Control connection plus two streams established, then let data flow for a moment.
    await waitConnections(port, 3);
    await sleep(500);
    server.kill('SIGTERM');
    const ended = await server;
    expect(ended.signal).toBeUndefined();
    expect(ended.exitCode).toBe(1);
    expect(ended.stderr).toContain('iperf3: interrupt - the server has terminated');
    // The client notices the server is gone and ends on its own, well before its 10 s.
    const clientEnd = await client;
    expect(clientEnd.timedOut).toBe(false);
    expect(clientEnd.durationMs).toBeLessThan(9_000);
    expect(await strayProcesses({ binary: iperf3, ports: [port] })).toEqual([]);
  });
});
