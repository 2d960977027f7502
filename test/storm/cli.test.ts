import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords } from '../../src/storm/jsonl.js';
import { StormSummary } from '../../src/storm/record.js';
import { installRoot } from '../../src/util/paths.js';
import { strayProcesses } from '../support/stray-processes.js';

const iperf3 = '/usr/bin/iperf3';
const cli = join(installRoot, 'bin', 'sigstorm.js');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-storm-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lineCount(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '').length;
}

describe('sigstorm storm', () => {
  it('Ctrl-C stops the storm: exit 130, a valid JSONL of finished iterations, summary says interrupted', async () => {
    const out = join(dir, 'interrupted.jsonl');
    const storm = execa(
      'node',
      [
        cli,
        'storm',
        '--binary',
        iperf3,
        '--workload',
        'server-sigterm',
        '--iterations',
        '500',
        '--seed',
        '9',
        '--out',
        out,
        '--json',
      ],
      { reject: false },
    );
    const deadline = performance.now() + 60_000;
    while ((await lineCount(out)) < 3 && performance.now() < deadline) await sleep(50);
    storm.kill('SIGINT');
    const result = await storm;
    expect(result.exitCode).toBe(130);
    const summary = StormSummary.parse(JSON.parse(result.stdout));
    expect(summary.interrupted).toBe(true);
    const records = await readRecords(out);
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.length).toBeLessThan(500);
    expect(summary.iterationsDone).toBe(records.length);
    expect(summary.outcomes.clean).toBe(records.length);
    // The file ends with a complete line: nothing half-written.
    expect((await readFile(out, 'utf8')).endsWith('\n')).toBe(true);
    expect(await strayProcesses({ binary: iperf3, parentPid: storm.pid })).toEqual([]);
    const ports = records.map((r) => r.port);
    expect(await strayProcesses({ binary: iperf3, ports })).toEqual([]);
  });

  it('a repro line reruns exactly that iteration: same seed, same delay, same CPUs', async () => {
    const out = join(dir, 'full.jsonl');
    const full = await execa('node', [
      cli,
      'storm',
      '--binary',
      iperf3,
      '--workload',
      'server-double-sigterm',
      '--iterations',
      '3',
      '--seed',
      '77',
      '--out',
      out,
      '--quiet',
    ]);
    expect(full.stdout).toMatch(/target: clean 3/);
    const original = (await readRecords(out)).find((r) => r.iteration === 2);
    if (!original) throw new Error('iteration 2 missing');
    const again = join(dir, 'again.jsonl');
    // The repro command as printed, with our own --out (node bin/sigstorm.js = this repository's bin).
    const args = original.repro.replace(/^node bin\/sigstorm\.js /, '').split(' ');
    const rerun = await execa('node', [cli, ...args, '--out', again, '--quiet', '--json']);
    expect(JSON.parse(rerun.stdout).iterationsDone).toBe(1);
    const [record] = await readRecords(again);
    expect(record?.iteration).toBe(2);
    expect(record?.delayMs).toBe(original.delayMs);
    expect(record?.signals?.map((s) => s.gapMs)).toEqual(original.signals?.map((s) => s.gapMs));
    expect(record?.cpus).toBe(original.cpus);
  });

  it('bad input exits 2 with what to do', async () => {
    const unknown = await execa(
      'node',
      [cli, 'storm', '--binary', iperf3, '--workload', 'no-such-workload'],
      { reject: false },
    );
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('Unknown workload "no-such-workload"');
    expect(unknown.stderr).toContain('server-burst');
    const lanes = await execa(
      'node',
      [cli, 'storm', '--binary', iperf3, '--workload', 'server-sigterm', '--lanes', '64'],
      { reject: false },
    );
    expect(lanes.exitCode).toBe(2);
    expect(lanes.stderr).toMatch(/Cannot make 64 lanes/);
    const binary = await execa(
      'node',
      [cli, 'storm', '--binary', join(dir, 'nope'), '--workload', 'server-sigterm'],
      { reject: false },
    );
    expect(binary.exitCode).toBe(2);
    expect(binary.stderr).toContain('is not an executable file');
  });
});
