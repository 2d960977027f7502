import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benches } from '../../bench/benches.js';
import { installRoot } from '../../src/util/paths.js';
import { testCacheDir } from '../support/subject.js';

const tsx = join(installRoot, 'node_modules', '.bin', 'tsx');
const runBench = (args: string[]) =>
  execa(tsx, ['bench/run.ts', ...args], {
    cwd: installRoot,
    env: { SIGSTORM_CACHE_DIR: testCacheDir },
    reject: false,
    timeout: 240_000,
  });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-bench-smoke-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run bench (bench/run.ts) as a real process', () => {
  it('prints every figure of the selected benches with how it was measured, and writes them as JSON', async () => {
    const json = join(dir, 'figures.json');
    const result = await runBench([
      '--quick',
      '--only',
      'storm-overhead,sequential-simulation',
      '--json',
      json,
    ]);
    expect(result.stderr).not.toMatch(/bench: failed/);
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).not.toMatch(/FAILED/);
    // The suite's header: machine and load at start.
    expect(out).toMatch(
      /^sigstorm bench \(QUICK.*\) on \d+ cores .*load average [\d.]+ \/ [\d.]+ \/ [\d.]+ at start/,
    );
    // Figure 1: one lane against the shell loop, per iteration.
    expect(out).toMatch(/sigstorm, 1 lane: +[\d.]+ it\/s, [\d.]+ ms\/iteration, [\d.]+ ms beyond the delay/);
    expect(out).toMatch(/bash loop: +[\d.]+ it\/s, [\d.]+ ms\/iteration, [\d.]+ ms beyond the delay/);
    expect(out).toMatch(/one lane vs the shell loop: [\d.]+× the iterations per second/);
    // Figure 2: iterations per second from 1 lane to one lane per core.
    const { machine } = JSON.parse(await readFile(json, 'utf8')) as { machine: { cores: number } };
    expect(out).toMatch(/ 1 lane\(s\): [\d.]+ it\/s/);
    expect(out).toMatch(new RegExp(` ${machine.cores} lane\\(s\\): [\\d.]+ it/s, speed-up [\\d.]+×`));
    // The sequential simulation table and its fixed-design comparison.
    expect(out).toMatch(/clear regression, 6 cells +0\.0% +30\.0% +6 +200 /);
    expect(out).toMatch(/without sequential stopping every cell runs the cap: \d+ iterations per side/);
    // Every bench says how it was measured: cores and load at its start and end.
    const measured = out.match(
      /^ {2}measured on \d+ cores; load average \(1\/5\/15 min\) .* at start, .* at end/gm,
    );
    expect(measured).toHaveLength(2);

    const figures = JSON.parse(await readFile(json, 'utf8')) as {
      quick: boolean;
      benches: { name: string; outcome: { kind: string; result: unknown } }[];
    };
    expect(figures.quick).toBe(true);
    expect(figures.benches.map((b) => [b.name, b.outcome.kind])).toEqual([
      ['storm-overhead', 'ok'],
      ['sequential-simulation', 'ok'],
    ]);
  });

  it('refuses an unknown bench name, naming the ones it knows', async () => {
    const result = await runBench(['--only', 'storm-overhead,no-such-bench']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown bench: no-such-bench/);
    // The list comes from the registered benches, whatever they are.
    expect(result.stderr).toContain(`--only ${benches.map((b) => b.name).join(',')}`);
    expect(result.stdout).toBe('');
  });
});
