import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCpuList, placeServerAndClient } from '../../src/throughput/cpu-placement.js';
import { findFreePort } from '../../src/throughput/free-port.js';
import { abbaOrder, interleavedThroughput } from '../../src/throughput/interleave.js';
import { measureThroughput } from '../../src/throughput/measure.js';
import { parseClientOutput } from '../../src/throughput/parse-client-output.js';
import { SigstormError, UsageError } from '../../src/util/errors.js';
import { subjectBinary } from '../support/subject.js';

const iperf3 = '/usr/bin/iperf3';

/** Processes whose parent is this test process (taskset execs iperf3, so they would show here). */
async function children(): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(afterName[1]) === process.pid) {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      found.push(`${entry}: ${cmdline.replaceAll('\0', ' ').trim()}`);
    }
  }
  return found;
}

afterEach(async () => {
  expect(await children()).toEqual([]);
});

describe('measureThroughput against Debian iperf3', () => {
  it('measures both directions with the pair on one core each', async () => {
    const run = await measureThroughput({ binary: iperf3, cpus: '0,1', streams: 2, seconds: 1 });
    expect(run.bitsPerSecondSent).toBeGreaterThan(0);
    expect(run.bitsPerSecondReceived).toBeGreaterThan(0);
    expect(run.streams).toBe(2);
    expect(run.placement).toEqual({ server: '0', client: '1' });
    expect(run.seconds).toBeGreaterThan(0.9);
    expect(run.seconds).toBeLessThan(2);
    expect(run.raw).toBeUndefined();
  });

  it("surfaces iperf3's own JSON error, and stops the server that never got a client", async () => {
    const nobody = await findFreePort();
    // A later -p wins in iperf3's parser: the client goes to a port where nothing listens.
    const failing = measureThroughput({
      binary: iperf3,
      streams: 1,
      seconds: 1,
      extraArgs: ['-p', String(nobody)],
    });
    await expect(failing).rejects.toThrow(SigstormError);
    await expect(failing).rejects.toThrow(
      'iperf3 reported an error: unable to connect to server: Connection refused',
    );
  });

  it('reads the JSON error of a real client run with no server', async () => {
    const port = await findFreePort();
    const client = await execa(iperf3, ['-c', '127.0.0.1', '-p', String(port), '-t', '1', '-J'], {
      reject: false,
    });
    expect(() => parseClientOutput(client.stdout, client.stderr, 'iperf3 -c')).toThrow(
      /^iperf3 reported an error: unable to connect to server: Connection refused$/,
    );
  });

  it('says so when the port it was given is busy (without a sandbox: inside one, host ports are not seen)', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('no port');
    try {
      const busy = measureThroughput({
        binary: iperf3,
        port: address.port,
        streams: 1,
        seconds: 1,
        sandbox: { kind: 'none' },
      });
      await expect(busy).rejects.toThrow(/exited before it listened/);
      await expect(busy).rejects.toMatchObject({ details: expect.stringMatching(/in use/i) });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stops both processes when aborted mid-run', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const running = measureThroughput({ binary: iperf3, streams: 1, seconds: 10, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop now')), 500);
    await expect(running).rejects.toThrow('stop now');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects a binary that prints no iperf3 JSON', async () => {
    await expect(measureThroughput({ binary: '/bin/true', streams: 1, seconds: 1 })).rejects.toThrow(
      SigstormError,
    );
  });
});

describe('measureThroughput against the bundled subject', () => {
  let subject: string;
  beforeAll(async () => {
    subject = await subjectBinary('plain');
  });

  it("reads the multithreaded subject's -J output with 4 streams", async () => {
    const run = await measureThroughput({ binary: subject, streams: 4, seconds: 1, keepRaw: true });
    expect(run.bitsPerSecondSent).toBeGreaterThan(0);
    expect(run.bitsPerSecondReceived).toBeGreaterThan(0);
    expect(run.raw).toMatchObject({ start: { connected: expect.any(Array) } });
    const connected = (run.raw as { start: { connected: unknown[] } }).start.connected;
    expect(connected).toHaveLength(4);
  });
});

describe('interleavedThroughput', () => {
  it('alternates base and head ABBA and returns the samples of each side', async () => {
    const seen: string[] = [];
    const samples = await interleavedThroughput({
      base: iperf3,
      head: iperf3,
      runs: 2,
      streams: 1,
      seconds: 1,
      onRun: (side, index) => seen.push(`${side}${index}`),
    });
    expect(samples.order).toEqual(['base', 'head', 'head', 'base']);
    expect(seen).toEqual(['base0', 'head0', 'head1', 'base1']);
    for (const run of [...samples.base, ...samples.head])
      expect(run.bitsPerSecondReceived).toBeGreaterThan(0);
  });

  it('orders ABBA ABBA for any number of runs', () => {
    expect(abbaOrder(1)).toEqual(['base', 'head']);
    expect(abbaOrder(3).join(' ')).toBe('base head head base base head');
  });
});

describe('CPU placement', () => {
  it('splits the cores into a server half and a client half', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(placeServerAndClient('0,1')).toEqual({ server: '0', client: '1' });
    expect(placeServerAndClient('0-3')).toEqual({ server: '0,1', client: '2,3' });
    expect(placeServerAndClient('5')).toEqual({ server: '5', client: '5' });
    expect(() => parseCpuList('0-x')).toThrow(UsageError);
    expect(() => parseCpuList('3-1')).toThrow(UsageError);
  });
});
