import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReproBundle } from '../../src/pipeline/output/write-repro-bundle.js';
import { failingCauses } from '../../src/report/failing-causes.js';
import { renderMarkdown } from '../../src/report/markdown/render-markdown.js';
import { bundledPatchesDir, cacheRoot } from '../../src/util/paths.js';
import { crash, record } from '../support/record-fixtures.js';
import { neutralScenario, regressionScenario, reportOf } from '../support/report-fixtures.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-bundle-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cachedBinary = join(cacheRoot(), 'builds', 'plain-3f9c2e1', 'tree', 'src', 'iperf3');

/** An output folder as validate leaves it: report.md and the iteration files of each cell and tree. */
async function outDirOf(report: ReturnType<typeof reportOf>): Promise<string> {
  const out = join(dir, 'out');
  await mkdir(join(out, 'iterations'), { recursive: true });
  await writeFile(join(out, 'report.md'), renderMarkdown(report));
  for (const cell of report.stability.cells) {
    for (const tree of ['base', 'head'] as const) {
      // As a storm writes them: the binary and the storm's repro line in this machine's cache.
      const lines = Array.from({ length: 60 }, (_, i) =>
        JSON.stringify({
          ...record(i, crash, null),
          binary: cachedBinary,
          repro: `node bin/sigstorm.js storm --binary ${cachedBinary} --only-iteration ${i}`,
        }),
      );
      await writeFile(
        join(out, 'iterations', `${cell.workload}.${cell.variant}.${tree}.jsonl`),
        `${lines.join('\n')}\n`,
      );
    }
  }
  return out;
}

describe('the repro bundle', () => {
  it('holds per failing cause its commands, the records and evidence its signatures come from, and the patches', async () => {
    const scenario = regressionScenario();
    const report = reportOf({
      ...scenario,
      head: { ...scenario.head, patches: [join(bundledPatchesDir, 'unblocked-worker-signals.patch')] },
    });
    expect(failingCauses(report).map((c) => `${c.variant}: ${c.headline}`)).toEqual([
      'asan: 21 of 30 reported asan: SEGV: iperf_send_stream < worker_thread',
      'plain: 18 of 60 crashed: SIGSEGV ×12, stack smashing detected ×6',
      'tsan: 9 of 30 reported tsan: signal-unsafe call inside of a signal: iperf_err < sig_handler',
    ]);
    const bundle = join(dir, 'bundle');
    const files = await writeReproBundle(bundle, report, await outDirOf(report));
    expect(files).toContain('patches/unblocked-worker-signals.patch');
    expect((await readdir(join(bundle, 'evidence'))).sort()).toHaveLength(4);
    const readme = await readFile(join(bundle, 'README.md'), 'utf8');
    expect(readme).toContain(
      '## server-burst (plain, server): 18 of 60 crashed: SIGSEGV ×12, stack smashing detected ×6',
    );
    for (const s of report.stability.signatures.filter((e) => e.finding)) expect(readme).toContain(s.repro);
    // One record per signature's first iteration: 3 (SIGSEGV, ASan), 4 (TSan) and 40 (stack smashing).
    const records = (await readFile(join(bundle, 'records.jsonl'), 'utf8')).trim().split('\n');
    expect(records.map((l) => (JSON.parse(l) as { iteration: number }).iteration).sort()).toEqual([
      3, 3, 4, 40,
    ]);
    // The records travel with the bundle: no path of this machine's cache, the report's repro lines.
    for (const line of records) {
      expect(line).not.toContain(cacheRoot());
      const parsed = JSON.parse(line) as { binary: string; repro: string; iteration: number };
      expect(parsed.binary).toBe('src/iperf3');
      expect(report.stability.signatures.map((e) => e.repro)).toContain(parsed.repro);
    }
    const markdown = await readFile(join(bundle, 'report.md'), 'utf8');
    expect(markdown).toContain('<!-- sigstorm-report -->');
    // Per signature a script that reruns it without sigstorm (test/pipeline/shell-repro.test.ts runs one),
    // linked from the report where its finding is listed, by the name the bundle gave it.
    const scripts = files.filter((f) => f.endsWith('.sh'));
    expect(scripts).toHaveLength(4);
    expect([...markdown.matchAll(/\]\((repro-\d+-[\w-]+\.sh)\)/g)].map((m) => m[1]).sort()).toEqual(
      [...scripts].sort(),
    );
    for (const name of scripts) {
      expect(readme).toContain(`bash ${name} TREE 10`);
      const text = await readFile(join(bundle, name), 'utf8');
      expect(text).toMatch(/^#!\/usr\/bin\/env bash\n/);
      expect(text).not.toContain(cacheRoot());
    }
    expect(await readFile(join(bundle, scripts.find((f) => f.includes('plain')) ?? ''), 'utf8')).toContain(
      'build head 3f9c2e1a77d04b8e9a0c4d5e6f708192a3b4c5d6 unblocked-worker-signals.patch',
    );
  });

  it('is not written when nothing failed', async () => {
    const report = reportOf(neutralScenario());
    expect(failingCauses(report)).toEqual([]);
    expect(await writeReproBundle(join(dir, 'bundle'), report, join(dir, 'out'))).toEqual([]);
    await expect(readdir(join(dir, 'bundle'))).rejects.toThrow();
  });
});
