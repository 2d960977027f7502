/**
 * The repro script of a finding, run as a maintainer would on a machine with the tree and a
 * compiler: the bundled subject as TREE (with configure generated, as a release ships), head = the
 * subject with the worker-signal bug patch. No sigstorm code runs after the script is written:
 * bash, gcc, make, taskset, ss and kill only.
 */
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellRepro } from '../../src/pipeline/output/shell-repro.js';
import { bundledPatchesDir } from '../../src/util/paths.js';
import { resolveStormWorkload } from '../../src/workload/load.js';
import { subjectReleaseTree } from '../support/subject.js';

let dir = '';
/** The subject with configure generated, as iperf3's releases ship: the script runs no autoreconf. */
let tree = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-shell-repro-'));
  tree = await subjectReleaseTree();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the shell repro of a finding', () => {
  it('builds base and head from the tree and shows the worker-signal crash in at least 1 of 10 head iterations, with plain commands', async () => {
    const { workload } = await resolveStormWorkload('server-burst');
    const patch = 'unblocked-worker-signals.patch';
    const script = shellRepro({
      workload,
      variant: 'plain',
      seed: 7,
      iteration: 3,
      cpuCount: 2,
      base: { repo: null, commit: null, patches: [] },
      head: { repo: null, commit: null, patches: [join('/elsewhere', patch)] },
    });
    expect(script).not.toMatch(/sigstorm\.js|npx|node /);
    expect(script).toContain('taskset -c 0,1');
    expect(script).toContain('kill -TERM "$server"');
    // A bundle as write-repro-bundle leaves it: the script next to patches/.
    await mkdir(join(dir, 'patches'));
    await copyFile(join(bundledPatchesDir, patch), join(dir, 'patches', patch));
    await writeFile(join(dir, 'repro.sh'), script);
    await chmod(join(dir, 'repro.sh'), 0o755);
    const result = await execa('bash', [join(dir, 'repro.sh'), tree, '10'], {
      cwd: dir,
      reject: false,
      timeout: 900_000,
    });
    const base = /^base: (\d+) of 10 failed$/m.exec(result.stdout);
    const head = /^head: (\d+) of 10 failed$/m.exec(result.stdout);
    expect(base, `${result.stdout}\n${result.stderr}`).not.toBeNull();
    expect(head, `${result.stdout}\n${result.stderr}`).not.toBeNull();
    expect(Number(head?.[1])).toBeGreaterThanOrEqual(1);
    // The script's status says whether head failed, as a selftest loop's would.
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/crash: the server died by signal (11|6)|sanitizer: .*stack smashing/);
  }, 960_000);
});
