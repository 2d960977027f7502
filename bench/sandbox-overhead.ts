// Storm overhead of the sandbox: the same seeded iterations on one lane, directly and in the bubblewrap
// sandbox, alternating in chunks so that machine drift hits both. Run: npx tsx bench/sandbox-overhead.ts
// [--iterations N]. The integrator's bench/run.ts calls sandboxOverheadBench().
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultSandbox, type SandboxMode } from '../src/sandbox/sandbox.schema.js';
import { createLanePool } from '../src/storm/lanes.js';
import type { IterationRecord } from '../src/storm/record.js';
import { runIterations } from '../src/storm/run-iterations.js';
import { resolveStormWorkload } from '../src/workload/load.js';

export interface SandboxOverheadOptions {
  /** Iterations per mode (bounded: default 60, at most 1000). */
  readonly iterations?: number;
  readonly binary?: string;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface ModeFigure {
  readonly meanIterationMs: number;
  /** Per iteration, beyond the drawn delay (what the harness and the sandbox add). */
  readonly meanOverheadMs: number;
  readonly clean: number;
}

export interface SandboxOverheadResult {
  readonly binary: string;
  readonly workload: string;
  readonly iterations: number;
  readonly direct: ModeFigure;
  readonly sandboxed: ModeFigure;
  /** sandboxed / direct mean iteration time (the bound: at most 1.2). */
  readonly ratio: number;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function sandboxOverheadBench(
  options: SandboxOverheadOptions = {},
): Promise<SandboxOverheadResult> {
  const n = Math.min(1000, Math.max(10, options.iterations ?? 60));
  const binary = options.binary ?? '/usr/bin/iperf3';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workload } = await resolveStormWorkload('server-sigterm');
  const pool = await createLanePool({ lanes: 1 });
  const modes: Record<'direct' | 'sandboxed', SandboxMode> = {
    direct: { kind: 'none' },
    sandboxed: defaultSandbox,
  };
  const records: Record<'direct' | 'sandboxed', IterationRecord[]> = { direct: [], sandboxed: [] };
  const chunk = 20;
  for (let start = 0; start < n; start += chunk) {
    options.signal?.throwIfAborted();
    const indices = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
    for (const mode of ['direct', 'sandboxed'] as const) {
      const run = await runIterations({
        pool,
        binary,
        variant: 'plain',
        workload,
        seed: 1,
        iterations: indices,
        stormId: `bench-sandbox-${mode}`,
        sandbox: modes[mode],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      records[mode].push(...run.records);
    }
    log(`  sandbox-overhead: ${start + indices.length}/${n} iterations each`);
  }
  const figure = (rs: readonly IterationRecord[]): ModeFigure => ({
    meanIterationMs: mean(rs.map((r) => r.durationMs)),
    meanOverheadMs: mean(rs.map((r) => r.durationMs - r.delayMs)),
    clean: rs.filter((r) => r.target.outcome.kind === 'clean').length,
  });
  const direct = figure(records.direct);
  const sandboxed = figure(records.sandboxed);
  return {
    binary,
    workload: workload.name,
    iterations: n,
    direct,
    sandboxed,
    ratio: sandboxed.meanIterationMs / direct.meanIterationMs,
  };
}

export function formatSandboxOverhead(r: SandboxOverheadResult): string {
  const f = (x: number) => x.toFixed(1);
  return [
    `Sandbox overhead per storm iteration (${r.workload} against ${r.binary}, ${r.iterations} iterations per mode, same seeded delays, alternating in chunks of 20 on one lane)`,
    `  direct:    ${f(r.direct.meanIterationMs)} ms per iteration, ${f(r.direct.meanOverheadMs)} ms beyond the delay, ${r.direct.clean} clean`,
    `  sandboxed: ${f(r.sandboxed.meanIterationMs)} ms per iteration, ${f(r.sandboxed.meanOverheadMs)} ms beyond the delay, ${r.sandboxed.clean} clean`,
    `  ratio sandboxed/direct: ${r.ratio.toFixed(2)}× (bound: 1.2×)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { iterations: { type: 'string' } } });
  const result = await sandboxOverheadBench(
    values.iterations ? { iterations: Number(values.iterations) } : {},
  );
  process.stdout.write(`${formatSandboxOverhead(result)}\n`);
}
