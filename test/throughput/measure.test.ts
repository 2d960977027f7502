import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insideBin } from '../../src/sandbox/inside-paths.js';
import { parseCpuList } from '../../src/storm/cpus.js';
import { findFreePort } from '../../src/throughput/free-port.js';
import { abbaOrder, interleavedThroughput } from '../../src/throughput/interleave.js';
import { measureThroughput } from '../../src/throughput/measure.js';
import { afterWarmup, parseClientOutput } from '../../src/throughput/parse-client-output.js';
import { SigstormError, UsageError } from '../../src/util/errors.js';
import { ThroughputWorkload, type ThroughputWorkloadInput } from '../../src/workload/schema.js';
import { subjectBinary } from '../support/subject.js';

const iperf3 = '/usr/bin/iperf3';

/** A throughput definition as workloads/throughput.yaml would give it: the schema fills the defaults. */
function definition(fields: Partial<ThroughputWorkloadInput>) {
  return ThroughputWorkload.parse({ kind: 'throughput', name: 'test', description: 'test', ...fields });
}

/** Processes whose parent is this test process (taskset execs iperf3, so they would show here). */
async function children(): Promise<string[]> {
  // Read in parallel: one /proc scan after every test, on a machine with hundreds of processes.
  const entries = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const found = await Promise.all(
    entries.map(async (entry) => {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(afterName[1]) !== process.pid) return null;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      return `${entry}: ${cmdline.replaceAll('\0', ' ').trim()}`;
    }),
  );
  return found.filter((line) => line !== null);
}

afterEach(async () => {
  expect(await children()).toEqual([]);
});

describe('measureThroughput against Debian iperf3', () => {
  it('measures both directions with the pair on one core each', async () => {
    const run = await measureThroughput({
      binary: iperf3,
      cpus: '0,1',
      definition: definition({ streams: 2, seconds: 1, warmup: 0 }),
    });
    expect(run.bitsPerSecond).toBe(run.bitsPerSecondReceived);
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
      definition: definition({
        seconds: 1,
        client: { args: `-c {host} -p {port} -P {streams} -t {seconds} -J -p ${nobody}` },
      }),
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
        definition: definition({ streams: 1, seconds: 1 }),
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
    const running = measureThroughput({
      binary: iperf3,
      definition: definition({ streams: 1, seconds: 10 }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop now')), 500);
    await expect(running).rejects.toThrow('stop now');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects a binary that prints no iperf3 JSON', async () => {
    await expect(
      measureThroughput({ binary: '/bin/true', definition: definition({ streams: 1, seconds: 1 }) }),
    ).rejects.toThrow(SigstormError);
  });
});

/** Every process below this one, as `pid: cmdline` (only their command lines are read: the scan stays quick). */
async function descendants(): Promise<string[]> {
  const parents = new Map<number, number>();
  const stats = await Promise.all(
    (await readdir('/proc'))
      .filter((entry) => /^\d+$/.test(entry))
      .map(
        async (entry) =>
          [Number(entry), await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')] as const,
      ),
  );
  for (const [pid, stat] of stats)
    parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  const below = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p))
      if (p === process.pid) return true;
    return false;
  };
  const found: string[] = [];
  for (const pid of [...parents.keys()].filter(below)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    found.push(`${pid}: ${cmdline.replaceAll('\0', ' ').trim()}`);
  }
  return found;
}

/** While a run is under way: each iperf3 child's role (-s / -c) and its Cpus_allowed_list. */
async function affinityWhileRunning(binary: string, timeoutMs = 10_000): Promise<Record<string, string>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen: Record<string, string> = {};
    // In the sandbox iperf3 is a grandchild (nsenter forks it into the sandbox's pid namespace).
    for (const child of await descendants()) {
      const [pid, cmdline = ''] = child.split(': ');
      const argv = cmdline.split(' ');
      // In the sandbox the program runs from its neutral program directory (src/sandbox/inside-paths.ts).
      if (argv[0] !== binary && argv[0] !== join(insideBin, basename(binary))) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const cpus = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1];
      if (cpus) seen[argv.includes('-s') ? 'server' : 'client'] = cpus;
    }
    if (seen.server && seen.client) return seen;
    if (performance.now() > deadline)
      throw new Error(`no server and client seen running: ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a throughput workload's fields shape the run (Debian iperf3)", () => {
  it('client.args: -P 2 in the template gives 2 streams in the -J output', async () => {
    const run = await measureThroughput({
      binary: iperf3,
      definition: definition({
        streams: 1,
        warmup: 0,
        client: { args: '-c {host} -p {port} -P 2 -n 4M -J' },
      }),
      keepRaw: true,
    });
    expect(run.streams).toBe(2);
    expect((run.raw as { start: { connected: unknown[] } }).start.connected).toHaveLength(2);
  });

  it('server.args: a server bound to 127.0.0.1 refuses a client sent to ::1, and serves one sent to 127.0.0.1', async () => {
    const server = { args: '-s -1 -p {port} -B 127.0.0.1' };
    const refused = measureThroughput({
      binary: iperf3,
      definition: definition({ seconds: 1, streams: 1, host: '::1', server }),
    });
    await expect(refused).rejects.toThrow(/unable to connect to server: Connection refused/);
    const run = await measureThroughput({
      binary: iperf3,
      definition: definition({ seconds: 1, streams: 1, host: '127.0.0.1', server }),
    });
    expect(run.bitsPerSecondReceived).toBeGreaterThan(0);
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
  ] as const)('host %s: the client connects from and to %s', async (host, address) => {
    const run = await measureThroughput({
      binary: iperf3,
      definition: definition({ seconds: 1, streams: 1, host }),
      keepRaw: true,
    });
    const connected = (run.raw as { start: { connected: { local_host: string; remote_host: string }[] } })
      .start.connected;
    expect(connected[0]).toMatchObject({ local_host: address, remote_host: address });
  });

  it.each([
    ['one-core-each', { server: '0', client: '1' }],
    ['same-core', { server: '0', client: '0' }],
    ['none', { server: '0-1', client: '0-1' }],
  ] as const)('pin %s: the running processes are on the stated CPUs', async (pin, expected) => {
    expect(
      parseCpuList(
        (await readFile('/proc/self/status', 'utf8')).match(/Cpus_allowed_list:\s*(\S+)/)?.[1] ?? '',
      ),
    ).toEqual(expect.arrayContaining([0, 1]));
    const running = measureThroughput({
      binary: iperf3,
      cpus: '0,1',
      definition: definition({ seconds: 2, streams: 1, pin }),
    });
    const affinity = await affinityWhileRunning(iperf3);
    const run = await running;
    expect(affinity).toEqual(expected);
    expect(run.placement).toEqual({
      server: expected.server.replace('0-1', '0,1'),
      client: expected.client.replace('0-1', '0,1'),
    });
  });

  it('bad values are refused before anything runs, with the field to change', async () => {
    const run = (fields: Partial<ThroughputWorkloadInput>, cpus?: string) =>
      measureThroughput({
        binary: iperf3,
        definition: definition({ seconds: 1, ...fields }),
        ...(cpus ? { cpus } : {}),
      });
    await expect(run({ client: { args: '-c {host} -p {port} -t {seconds}' } })).rejects.toThrow(
      /client.args .* has no -J/,
    );
    await expect(run({ client: { args: '-c {host} -p {port} -b {rate} -J' } })).rejects.toThrow(
      /client.args uses \{rate\}/,
    );
    const oneCpu = run({ pin: 'one-core-each' }, '1');
    await expect(oneCpu).rejects.toThrow(UsageError);
    await expect(oneCpu).rejects.toThrow(/one-core-each needs two CPUs and the throughput run has only 1/);
    await expect(oneCpu).rejects.toMatchObject({ hint: expect.stringMatching(/pin: same-core/) });
    await expect(run({}, '0,99')).rejects.toThrow(/CPUs 99 are not available/);
    expect(() => definition({ host: '10.0.0.1' as '::1' })).toThrow(/127.0.0.1/);
  });
});

describe('measureThroughput against the bundled subject', () => {
  let subject: string;
  beforeAll(async () => {
    subject = await subjectBinary('plain');
  });

  it("reads the multithreaded subject's -J output with 4 streams", async () => {
    const run = await measureThroughput({
      binary: subject,
      definition: definition({ streams: 4, seconds: 1 }),
      keepRaw: true,
    });
    expect(run.bitsPerSecondSent).toBeGreaterThan(0);
    expect(run.bitsPerSecondReceived).toBeGreaterThan(0);
    expect(run.raw).toMatchObject({ start: { connected: expect.any(Array) } });
    const connected = (run.raw as { start: { connected: unknown[] } }).start.connected;
    expect(connected).toHaveLength(4);
  });
});

describe('the warm-up', () => {
  it("is cut from the run's figure by iperf3's intervals, for a binary without -O (the subject)", async () => {
    const run = await measureThroughput({
      binary: await subjectBinary('plain'),
      definition: definition({ streams: 2, seconds: 1, warmup: 1 }),
      keepRaw: true,
    });
    // The client ran seconds + warmup (-t 2): two one-second intervals, the first one cut.
    expect(run.seconds).toBeGreaterThan(1.9);
    expect(run.seconds).toBeLessThan(3);
    const intervals = (run.raw as { intervals: { sum: { start: number; seconds: number; bytes: number } }[] })
      .intervals;
    const after = intervals.filter((i) => i.sum.start >= 0.99);
    expect(after.length).toBeGreaterThan(0);
    const bytes = after.reduce((a, i) => a + i.sum.bytes, 0);
    const seconds = after.reduce((a, i) => a + i.sum.seconds, 0);
    expect(run.bitsPerSecond).toBeCloseTo((8 * bytes) / seconds, 0);
  });

  it('leaves out the intervals before it and those iperf3 omitted itself (-O)', () => {
    const i = (start: number, bytes: number, omitted = false) => ({ start, seconds: 1, bytes, omitted });
    // 1 GB in second 0 (cut), 2 GB and 3 GB after: 5 GB in 2 s = 20 Gbit/s.
    expect(afterWarmup([i(0, 1e9), i(1.00004, 2e9), i(2.00011, 3e9)], 1)).toBe(20e9);
    // With -O 1 iperf3 marks the first interval omitted: the same figure without a warm-up of ours.
    expect(afterWarmup([i(0, 1e9, true), i(1, 2e9), i(2, 3e9)], 0)).toBe(20e9);
    expect(afterWarmup([i(0, 1e9)], 1)).toBeNull();
  });

  it('is an error a person can act on when the output has no intervals after it', () => {
    const stdout = JSON.stringify({
      start: { connected: [{}] },
      intervals: [{ sum: { start: 0, seconds: 1, bytes: 1e9 } }],
      end: {
        sum_sent: { seconds: 1, bytes: 1e9, bits_per_second: 8e9 },
        sum_received: { seconds: 1, bytes: 1e9, bits_per_second: 8e9 },
      },
    });
    expect(() => parseClientOutput(stdout, '', 'iperf3 -c ::1', 1)).toThrow(
      /no intervals after the 1 s warm-up/,
    );
    expect(parseClientOutput(stdout, '', 'iperf3 -c ::1', 0).bitsPerSecond).toBe(8e9);
  });
});

describe('interleavedThroughput', () => {
  // Order and stopping are what these test, not the figures: runs of 4 MB (-n) instead of -t 1.
  const quickRun = definition({
    streams: 1,
    warmup: 0,
    client: { args: '-c {host} -p {port} -P {streams} -n 4M -J' },
  });

  it('stops at a look that settles, after whole pairs', async () => {
    const asked: number[] = [];
    const samples = await interleavedThroughput({
      base: iperf3,
      head: iperf3,
      runs: 3,
      looks: [1, 2],
      settled: ({ base, head }) => {
        asked.push(base.length);
        expect(head).toHaveLength(base.length);
        return base.length === 2;
      },
      definition: quickRun,
    });
    expect(asked).toEqual([1, 2]);
    expect(samples.order).toEqual(['base', 'head', 'head', 'base']);
    expect(samples.stopped).toBe('settled');
  });

  it('alternates base and head ABBA and returns the samples of each side', async () => {
    const seen: string[] = [];
    const samples = await interleavedThroughput({
      base: iperf3,
      head: iperf3,
      runs: 2,
      definition: quickRun,
      onRun: (side, index) => seen.push(`${side}${index}`),
    });
    expect(samples.order).toEqual(['base', 'head', 'head', 'base']);
    expect(seen).toEqual(['base0', 'head0', 'head1', 'base1']);
    expect(samples.stopped).toBe('budget');
    for (const run of [...samples.base, ...samples.head])
      expect(run.bitsPerSecondReceived).toBeGreaterThan(0);
  });

  it('goes on from pairs made before (between storm batches): same ABBA order, their looks not taken again', async () => {
    const first = await interleavedThroughput({ base: iperf3, head: iperf3, runs: 1, definition: quickRun });
    const asked: number[] = [];
    const seen: string[] = [];
    const samples = await interleavedThroughput({
      base: iperf3,
      head: iperf3,
      runs: 3,
      from: first,
      looks: [1, 2],
      settled: ({ base }) => {
        asked.push(base.length);
        return false;
      },
      definition: quickRun,
      onRun: (side, index) => seen.push(`${side}${index}`),
    });
    // Pair 0 came from before; pairs 1 and 2 go on head-first, then base-first; the look at 1 had passed.
    expect(samples.order).toEqual(['base', 'head', 'head', 'base', 'base', 'head']);
    expect(seen).toEqual(['head1', 'base1', 'base2', 'head2']);
    expect(asked).toEqual([2]);
    expect(samples.base[0]).toBe(first.base[0]);
    expect(samples.stopped).toBe('budget');
    // What was made before is not changed.
    expect(first.order).toEqual(['base', 'head']);
  });

  it('orders ABBA ABBA for any number of runs', () => {
    expect(abbaOrder(1)).toEqual(['base', 'head']);
    expect(abbaOrder(3).join(' ')).toBe('base head head base base head');
  });
});

describe('CPU lists', () => {
  it('reads taskset lists and rejects malformed ones', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(() => parseCpuList('0-x')).toThrow(UsageError);
    expect(() => parseCpuList('3-1')).toThrow(UsageError);
  });
});
