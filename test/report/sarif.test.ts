import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { placeCauses } from '../../src/pipeline/output/place-causes.js';
import { annotationsPerRequest, checkAnnotations } from '../../src/report/annotations.js';
import { buildReport } from '../../src/report/build-report.js';
import { toSarif } from '../../src/report/sarif.js';
import { regressionScenario } from '../support/report-fixtures.js';

let tree = '';
beforeAll(async () => {
  // The files the fixtures' frames name, as a tree holds them.
  tree = await mkdtemp(join(tmpdir(), 'sigstorm-tree-'));
  await mkdir(join(tree, 'src'));
  for (const f of ['iperf_api.c', 'iperf_client_api.c', 'iperf_error.c', 'main.c'])
    await writeFile(join(tree, 'src', f), '/* source */\n');
});
afterAll(async () => {
  await rm(tree, { recursive: true, force: true });
});

function placedReport() {
  const s = regressionScenario();
  const comparison = placeCauses(compare(s.cells, s.throughput, defaultThresholds), {
    base: tree,
    head: tree,
  });
  return buildReport({
    base: s.base,
    head: s.head,
    comparison,
    notRun: s.notRun,
    generatedAt: '2026-01-01T00:00:00Z',
    sigstormVersion: '0.1.0',
  });
}

describe('findings at source lines', () => {
  it('places each cause at its first frame in the tree, skipping runtime frames and files the tree lacks', () => {
    const r = placedReport();
    const at = Object.fromEntries(
      r.stability.causes.map((c) => [`${c.variant} ${c.kind} ${c.bucket}`, c.location]),
    );
    expect(at['asan sanitizer new']).toEqual({
      path: 'src/iperf_api.c',
      line: 1893,
      function: 'iperf_send_stream',
    });
    // malloc in the TSan runtime (../../…) and vfprintf (no line) are skipped.
    expect(at['tsan sanitizer new']).toEqual({ path: 'src/iperf_error.c', line: 66, function: 'iperf_err' });
    // The plain crash's stderr has no frames.
    expect(at['plain crash new']).toBeNull();
  });

  it('annotates the failing findings most severe first, within GitHub’s 50 per request', () => {
    const annotations = checkAnnotations(placedReport());
    expect(annotations.map((a) => `${a.path}:${a.start_line} ${a.annotation_level} ${a.title}`)).toEqual([
      'src/iperf_api.c:1893 failure asan: SEGV in server-burst (asan)',
      'src/iperf_error.c:66 failure tsan: signal-unsafe call inside of a signal in server-burst (tsan)',
    ]);
    expect(annotationsPerRequest).toBe(50);
  });

  it('writes SARIF 2.1.0: one rule per finding kind, one result per finding at its top in-tree frame', () => {
    const sarif = toSarif(placedReport()) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const [run] = sarif.runs;
    expect(run?.tool.driver.name).toBe('sigstorm');
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(['sigstorm/sanitizer']);
    expect(
      run?.results.map((r) => [
        r.ruleId,
        run.tool.driver.rules[r.ruleIndex]?.id,
        r.level,
        `${r.locations[0]?.physicalLocation.artifactLocation.uri}:${r.locations[0]?.physicalLocation.region.startLine}`,
      ]),
    ).toEqual([
      ['sigstorm/sanitizer', 'sigstorm/sanitizer', 'error', 'src/iperf_api.c:1893'],
      ['sigstorm/sanitizer', 'sigstorm/sanitizer', 'error', 'src/iperf_error.c:66'],
    ]);
  });
});
