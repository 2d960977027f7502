import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { listProcesses, listProcessesNotOfOtherFiles } from './stray-processes.js';

/**
 * The stray-process checks of the storm tests see this file's processes and orphans, not those of
 * the test files running beside it (another worker: a sibling of this one, below the runner).
 * Played with real processes: a shell as the runner, two of its sleeps as two workers, and a sleep
 * below each.
 */
describe('listProcessesNotOfOtherFiles', () => {
  // A group of its own: the whole played runner ends with one kill of the group.
  const runner = execa('sh', ['-c', 'sh -c "sleep 61 & wait" & sh -c "sleep 62 & wait" & wait'], {
    reject: false,
    detached: true,
  });
  afterAll(async () => {
    if (runner.pid !== undefined) process.kill(-runner.pid, 'SIGKILL');
    await runner;
  });

  it('keeps what runs below this worker, leaves out what runs below a sibling', async () => {
    let workers: { pid: number; sleep: number }[] = [];
    for (let i = 0; i < 200 && workers.length < 2; i++) {
      const all = await listProcesses();
      workers = all
        .filter((p) => p.ppid === runner.pid)
        .map((w) => ({ pid: w.pid, sleep: all.find((c) => c.ppid === w.pid)?.pid ?? 0 }))
        .filter((w) => w.sleep !== 0);
      await sleep(10);
    }
    const [mine, theirs] = workers;
    if (!mine || !theirs) throw new Error('the played runner did not start its two workers');
    const seen = new Set(
      (await listProcessesNotOfOtherFiles({ pid: mine.pid, ppid: runner.pid ?? 0 })).map((p) => p.pid),
    );
    expect(seen.has(mine.pid)).toBe(true);
    expect(seen.has(mine.sleep)).toBe(true);
    expect(seen.has(theirs.pid)).toBe(false);
    expect(seen.has(theirs.sleep)).toBe(false);
    // Processes elsewhere on the machine (init, this test process) are not below a sibling.
    expect(seen.has(1)).toBe(true);
    expect(seen.has(process.pid)).toBe(true);
  });
});
