import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingEvidenceMin } from '../../src/pipeline/schedule/finding-stop.js';
import { runValidation } from '../../src/pipeline/validate.js';
import { Report } from '../../src/report/report.schema.js';
import { parseCpuList } from '../../src/storm/cpus.js';
import { IterationRecord } from '../../src/storm/record.js';
import { installRoot } from '../../src/util/paths.js';
import { listProcessesNotOfOtherFiles } from '../support/stray-processes.js';
import { testCacheDir } from '../support/subject.js';
import { patch, shortThroughput, useTestCache, validate } from '../support/validate-subject.js';

beforeAll(useTestCache);

describe('sigstorm validate on the bundled subject (real builds, real storms)', () => {
  it('flags unblocked-worker-signals.patch as a stability regression with reproducible new crashes', async () => {
    const progress: string[] = [];
    const result = await runValidation(
      {
        base: {},
        head: { patches: [patch('unblocked-worker-signals.patch')] },
        workloads: ['server-burst', shortThroughput],
        variants: ['plain'],
        budgetSeconds: 240,
        baseCache: false,
        throughputRuns: 40,
      },
      { onProgress: (p) => progress.push(`[${p.phase}] ${p.message}`) },
    );
    const report = Report.parse(result.report);
    expect(report.verdict.stability).toBe('regression');
    // The settled regression decided the gate: throughput ran 8 + 8 runs of a budget of 40 pairs
    // (up to 40 + 40 otherwise), and the row, the headline and the progress say why.
    const row = report.throughput.rows[0];
    expect(row?.base.runs.length).toBe(8);
    expect(row?.head.runs.length).toBe(8);
    expect(
      progress.filter((line) => /^\[throughput\] throughput run \d+ of at most 16 /.test(line)),
    ).toHaveLength(16);
    expect(progress).toContain(
      '[throughput] throughput: 8 + 8 runs at most (budget cut from 40 pairs: the stability regression already decides the gate)',
    );
    expect(row?.because).toMatch(
      /8 \+ 8 runs at look 3 of 3 of a 8-pair budget: .*; budget cut from 40 to 8 pairs: the stability regression already decides the gate$/,
    );
    expect(result.headline).toContain(
      'budget cut from 40 to 8 pairs: the stability regression already decides the gate',
    );
    expect(result.markdown.split('\n')[0]).toBe('<!-- sigstorm-report -->');
    expect(result.headline).toMatch(/regression/i);
    const blamed = report.stability.signatures.filter((s) => s.bucket === 'new' && s.finding);
    expect(blamed.length).toBeGreaterThan(0);
    // Settled by the cell's rates, or (fail fast) by the signal-mask finding once the cell had its
    // few judged iterations (findingEvidenceMin) and a head failure to show (docs/statistics.md).
    const cell = report.stability.cells[0];
    const byMasks = (report.stability.threads?.changes ?? []).some((c) => c.finding);
    const shown =
      Math.min(cell?.base.judged ?? 0, cell?.head.judged ?? 0) >= findingEvidenceMin &&
      (cell?.head.failures ?? 0) > 0;
    expect(cell?.sequential?.reason === 'regression' || (byMasks && shown)).toBe(true);
    // A cell stopped by the finding while its own test was open says so; one its test stopped does not.
    expect(cell?.halted).toBe(cell?.sequential?.state === 'continue' ? 'fail-fast' : undefined);

    // The report's command names the tree as anybody can get it (here: the bundled subject and a
    // patch that ships with sigstorm), never a binary in this machine's cache.
    const first = blamed[0];
    if (!first) throw new Error('no blamed signature');
    const head = (await readFile(join(result.outDir, 'iterations', 'server-burst.plain.head.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => IterationRecord.parse(JSON.parse(line)));
    const original = head.find((r) => r.iteration === first.firstIteration);
    if (!original) throw new Error(`no head iteration ${first.firstIteration}`);
    expect(first.repro).toBe(
      `node bin/sigstorm.js repro --patches patches/unblocked-worker-signals.patch --variant plain --workload server-burst --seed ${original.seed} --iteration ${original.iteration} --cpu-count ${parseCpuList(original.cpus).length}`,
    );
    expect(result.markdown).not.toContain(testCacheDir);
    // The record's own command reruns exactly that iteration: same iteration, same seed, same delay.
    expect(original.repro).toMatch(/^node bin\/sigstorm\.js storm /);
    const out = join(result.outDir, 'repro.jsonl');
    const args = original.repro.replace(/^node bin\/sigstorm\.js /, '').split(' ');
    await execa('node', [join(installRoot, 'bin', 'sigstorm.js'), ...args, '--out', out, '--quiet'], {
      cwd: installRoot,
    });
    const rerun = IterationRecord.parse(JSON.parse((await readFile(out, 'utf8')).trim()));
    expect(rerun.iteration).toBe(original.iteration);
    expect(rerun.delayMs).toBe(original.delayMs);
    expect(rerun.cpus).toBe(original.cpus);
    // Nothing of the storms or the rerun is left running.
    const binaries = new Set([...head.map((r) => r.binary), rerun.binary]);
    const left = (await listProcessesNotOfOtherFiles()).filter((p) =>
      p.argv.some((arg) => binaries.has(arg)),
    );
    expect(left).toEqual([]);
    // Storms until the regression settles, then 8 + 8 throughput runs of 1 s.
  }, 240_000);

  it('calls the sigwait-thread fix on top of the broken tree an improvement', async () => {
    const broken = patch('unblocked-worker-signals.patch');
    const result = await validate({
      base: { patches: [broken] },
      head: { patches: [broken, patch('sigwait-thread.patch')] },
      // The client's streams take the signal in nearly every iteration of the broken tree (the server's
      // in about a third): the improvement shows at the first look instead of the fourth. No stop
      // before 10 iterations per side instead of the default 20: base failing in nearly every
      // iteration and head in none settles at the batch that passes 10 (12 per side, not 22).
      workloads: ['client-stream-sigterm'],
      variants: ['plain'],
      thresholds: { stability: { minIterationsPerSide: 10 } },
      budgetSeconds: 300,
      baseCache: false,
    });
    const report = Report.parse(result.report);
    expect(report.verdict.stability).toBe('improvement');
    expect(report.stability.signatures.some((s) => s.bucket === 'fixed')).toBe(true);
  });
});
