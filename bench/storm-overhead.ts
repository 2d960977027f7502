// Storm harness overhead: one sigstorm lane against a plain bash loop doing the same iterations, and
// the speed-up from 1 lane to one lane per core. Run: npx tsx bench/storm-overhead.ts [--iterations N]
// [--binary PATH] [--workload NAME]. The integrator's bench/run.ts calls stormOverheadBench().
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { allowedCpus } from '../src/storm/cpus.js';
import { drawChoices } from '../src/storm/iteration.js';
import { createLanePool } from '../src/storm/lanes.js';
import type { IterationRecord } from '../src/storm/record.js';
import { runIterations } from '../src/storm/run-iterations.js';
import { resolveStormWorkload } from '../src/workload/load.js';
import { expandArgs } from '../src/workload/template.js';

export interface StormOverheadOptions {
  /** Iterations per measured configuration (bounded: default 100, at most 1000). */
  readonly iterations?: number;
  readonly binary?: string;
  /** A single-signal workload at the server; default server-sigterm. */
  readonly workload?: string;
  /** What the shell loop sleeps instead of observing readiness (seconds, as the kernel selftests do). */
  readonly shellServerSleep?: number;
  readonly shellClientSleep?: number;
  readonly log?: (line: string) => void;
  /** Stops the bench between iterations (bench/run.ts on Ctrl-C); the storm runner cleans up. */
  readonly signal?: AbortSignal;
}

export interface LaneFigure {
  readonly lanes: number;
  readonly iterationsPerSecond: number;
  readonly speedUp: number;
}

export interface StormOverheadResult {
  readonly binary: string;
  readonly workload: string;
  readonly iterations: number;
  readonly meanDelayMs: number;
  readonly sigstorm: {
    readonly iterationsPerSecond: number;
    readonly meanIterationMs: number;
    readonly meanOverheadMs: number;
    readonly medianReadyMs: number;
    readonly clean: number;
  };
  readonly shell: {
    readonly iterationsPerSecond: number;
    readonly meanIterationMs: number;
    readonly meanOverheadMs: number;
    readonly serverSleepS: number;
    readonly clientSleepS: number;
  };
  readonly lanes: readonly LaneFigure[];
}

/** The kernel-selftest way: start, sleep, start, sleep, sleep the delay, kill, wait. */
const shellLoop = `
set -u
cpus=$1; server_sleep=$2; client_sleep=$3; shift 3
while [ $# -gt 0 ]; do
  delay=$1; server=$2; client=$3; shift 3
  taskset -c "$cpus" $server >/dev/null 2>&1 & s=$!
  sleep "$server_sleep"
  taskset -c "$cpus" $client >/dev/null 2>&1 & c=$!
  sleep "$client_sleep"
  sleep "$delay"
  kill -TERM "$s"
  wait "$s" "$c" || :  # iperf3 exits 1 after SIGTERM: that is expected
done
`;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.floor((s.length - 1) / 2)] ?? 0);
};
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function stormOverheadBench(options: StormOverheadOptions = {}): Promise<StormOverheadResult> {
  const n = Math.min(1000, Math.max(10, options.iterations ?? 100));
  const binary = options.binary ?? '/usr/bin/iperf3';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workload } = await resolveStormWorkload(options.workload ?? 'server-sigterm');
  const serverSleep = options.shellServerSleep ?? 0.1;
  const clientSleep = options.shellClientSleep ?? 0.2;
  const seed = 1;
  const chunk = 20;

  // 1 lane: sigstorm and the shell loop alternate in chunks of 20, so machine drift hits both.
  const pool = await createLanePool({ lanes: 1 });
  const lane = pool.lanes[0];
  if (!lane) throw new Error('no lane');
  const shellPool = await createLanePool({ lanes: 1, portsPerLane: n });
  const shellPorts = shellPool.lanes[0]?.ports ?? [];
  const records: IterationRecord[] = [];
  let sigstormMs = 0;
  let shellMs = 0;
  for (let start = 0; start < n; start += chunk) {
    options.signal?.throwIfAborted();
    const indices = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
    let t = performance.now();
    const run = await runIterations({
      pool,
      binary,
      variant: 'plain',
      workload,
      seed,
      iterations: indices,
      stormId: 'bench',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    sigstormMs += performance.now() - t;
    records.push(...run.records);
    const args = indices.flatMap((i) => {
      const values = {
        port: String(shellPorts[i] ?? 0),
        host: workload.host,
        streams: String(workload.streams),
        seconds: String(workload.seconds),
        rate: workload.rate,
      };
      const delayS = (drawChoices(workload, seed, i).delayMs / 1000).toFixed(3);
      return [
        delayS,
        [binary, ...expandArgs(workload.server.args, values)].join(' '),
        [binary, ...expandArgs(workload.client.args, values)].join(' '),
      ];
    });
    t = performance.now();
    // Its own process group, so that a cancel ends the loop's iperf3 processes with it.
    const loop = execa(
      'bash',
      ['-c', shellLoop, 'shell-storm', lane.cpuList, String(serverSleep), String(clientSleep), ...args],
      { detached: true },
    );
    const cancel = () => loop.pid !== undefined && process.kill(-loop.pid, 'SIGTERM');
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      await loop;
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
    shellMs += performance.now() - t;
    log(`  storm-overhead: ${start + indices.length}/${n} iterations each`);
  }
  const meanDelayMs = mean(Array.from({ length: n }, (_, i) => drawChoices(workload, seed, i).delayMs));

  // Lanes: 1 .. one per core, each the same n iterations.
  const cores = allowedCpus().length;
  const laneCounts = [...new Set([1, Math.max(1, Math.floor(cores / 2)), cores])].sort((a, b) => a - b);
  const lanes: LaneFigure[] = [];
  for (const count of laneCounts) {
    options.signal?.throwIfAborted();
    const lanePool = await createLanePool({ lanes: count });
    const t = performance.now();
    await runIterations({
      pool: lanePool,
      binary,
      variant: 'plain',
      workload,
      seed: 2,
      iterations: Array.from({ length: n }, (_, i) => i),
      stormId: 'bench-lanes',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const ips = n / ((performance.now() - t) / 1000);
    lanes.push({
      lanes: count,
      iterationsPerSecond: ips,
      speedUp: ips / (lanes[0]?.iterationsPerSecond ?? ips),
    });
    log(`  storm-overhead: ${count} lane(s) done`);
  }

  return {
    binary,
    workload: workload.name,
    iterations: n,
    meanDelayMs,
    sigstorm: {
      iterationsPerSecond: n / (sigstormMs / 1000),
      meanIterationMs: sigstormMs / n,
      meanOverheadMs: mean(records.map((r) => r.durationMs - r.delayMs)),
      medianReadyMs: median(records.map((r) => r.readyMs ?? 0)),
      clean: records.filter((r) => r.target.outcome.kind === 'clean').length,
    },
    shell: {
      iterationsPerSecond: n / (shellMs / 1000),
      meanIterationMs: shellMs / n,
      meanOverheadMs: shellMs / n - meanDelayMs,
      serverSleepS: serverSleep,
      clientSleepS: clientSleep,
    },
    lanes,
  };
}

export function formatStormOverhead(r: StormOverheadResult): string {
  const f = (x: number, d = 1) => x.toFixed(d);
  return [
    `Storm harness overhead (${r.workload} against ${r.binary}, ${r.iterations} iterations each, same seeded delays, mean ${f(r.meanDelayMs)} ms; sigstorm and shell alternate in chunks of 20 on the same lane CPUs)`,
    `  sigstorm, 1 lane:   ${f(r.sigstorm.iterationsPerSecond, 2)} it/s, ${f(r.sigstorm.meanIterationMs)} ms/iteration, ${f(r.sigstorm.meanOverheadMs)} ms beyond the delay (spawn, readiness observed in /proc/net/tcp every 2 ms — median ${f(r.sigstorm.medianReadyMs)} ms to all streams established — signal, exit, reap, classify); ${r.sigstorm.clean}/${r.iterations} clean`,
    `  bash loop:          ${f(r.shell.iterationsPerSecond, 2)} it/s, ${f(r.shell.meanIterationMs)} ms/iteration, ${f(r.shell.meanOverheadMs)} ms beyond the delay (taskset + sleep ${r.shell.serverSleepS} s after the server, sleep ${r.shell.clientSleepS} s after the client, as kernel selftests do, then kill -TERM and wait)`,
    `  one lane vs the shell loop: ${f(r.sigstorm.iterationsPerSecond / r.shell.iterationsPerSecond, 2)}× the iterations per second`,
    ...r.lanes.map(
      (l) =>
        `  ${l.lanes} lane(s): ${f(l.iterationsPerSecond, 2)} it/s, speed-up ${f(l.speedUp, 2)}× over 1 lane`,
    ),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const iterations = arg('--iterations');
  const binary = arg('--binary');
  const workload = arg('--workload');
  const result = await stormOverheadBench({
    ...(iterations ? { iterations: Number(iterations) } : {}),
    ...(binary ? { binary } : {}),
    ...(workload ? { workload } : {}),
  });
  process.stdout.write(`${formatStormOverhead(result)}\n`);
}
