import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLanePool, type LanePool } from '../../src/storm/lanes.js';
import { signalTracer } from '../../src/storm/trace/signal-tracer.js';
import { findTracefs } from '../../src/storm/trace/tracefs.js';
import { isAlive } from '../../src/util/file-lock.js';
import { installRoot } from '../../src/util/paths.js';
import { listProcesses, type ProcessInfo } from '../support/stray-processes.js';
import { stormRecords, type ThreadSubjects, threadSubjects } from '../support/thread-subjects.js';

// Signal attribution from tracefs (this machine runs the tests as root, with tracefs): who took
// each signal, and the machine's tracing state left as it was, also after Ctrl-C or a kill -9.
const cli = join(installRoot, 'bin', 'sigstorm.js');
let pool: LanePool;
let root = '';
let dir = '';
let binaries: Pick<ThreadSubjects, 'unpatched' | 'unblocked'>;

beforeAll(async () => {
  const found = findTracefs();
  if (found.kind === 'off') throw new Error(`these tests need tracefs: ${found.why}`);
  root = found.root;
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-tracing-'));
  pool = await createLanePool();
  binaries = await threadSubjects('unpatched', 'unblocked');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const storm = (binary: string, name: string, n: number) => stormRecords(pool, binary, name, n, 3);

/**
 * What other tracing users would see: the instances (but those of live sigstorm processes: other
 * test files storm beside this one, each in an instance of its own for as long as it runs), and every
 * switch sigstorm could touch at the top.
 */
function tracingState() {
  const read = (p: string) => readFileSync(join(root, p), 'utf8');
  const live = (name: string) =>
    /^sigstorm-\d+$/.test(name) && isAlive(Number(name.slice('sigstorm-'.length)));
  return {
    instances: readdirSync(join(root, 'instances'))
      .filter((name) => !live(name))
      .sort(),
    tracingOn: read('tracing_on'),
    setEvent: read('set_event'),
    signalEnable: read('events/signal/enable'),
    generateFilter: read('events/signal/signal_generate/filter'),
    deliverFilter: read('events/signal/signal_deliver/filter'),
    clock: read('trace_clock'),
    recordTgid: read('options/record-tgid'),
    currentTracer: read('current_tracer'),
  };
}

describe('signal attribution from tracefs', () => {
  it('this process traces in an instance of its own', () => {
    expect(signalTracer().why).toBeNull();
    expect(existsSync(join(root, 'instances', `sigstorm-${process.pid}`))).toBe(true);
  });

  it("a window holds the signals of sigstorm's own processes from its start, while another window is open too", async () => {
    const tracer = signalTracer();
    const before = tracer.begin();
    before.close();
    const outer = tracer.begin();
    const inner = tracer.begin();
    // A descendant of this process (the tracer follows its process tree), killed by a signal whose
    // default action is fatal: generated, never delivered to a handler.
    const child = execa('sleep', ['30'], { reject: false });
    const pid = child.pid ?? 0;
    await sleep(50);
    process.kill(pid, 'SIGUSR1');
    await child;
    const window = { pid, census: undefined, sent: ['SIGUSR1'] };
    const generated = (t: ReturnType<typeof inner.read>) =>
      t.kind === 'traced' ? t.signals.map((s) => [s.signal, s.generated]) : t.why;
    // The inner window is read first: the outer one, still open, keeps the line.
    expect(generated(inner.read(window))).toEqual([['SIGUSR1', 'delivered']]);
    const after = tracer.begin();
    expect(generated(outer.read(window))).toEqual([['SIGUSR1', 'delivered']]);
    // A window that began after the signal does not see it.
    expect(generated(after.read(window))).toEqual([]);
  });

  it('unpatched: a SIGTERM aimed at a stream thread is never taken (pending at exit); the second is taken by main', async () => {
    for (const r of await storm(binaries.unpatched, 'server-stream-sigterm', 3)) {
      expect(r.trace?.kind).toBe('traced');
      if (r.trace?.kind !== 'traced') continue;
      const [aimed, ending] = r.trace.signals;
      expect(aimed).toMatchObject({
        signal: 'SIGTERM',
        generated: 'delivered',
        takenBy: null,
        pendingAtExit: true,
      });
      expect(ending).toMatchObject({ signal: 'SIGTERM', takenBy: { role: 'main' }, pendingAtExit: false });
    }
  });

  it('unblocked-worker-signals: the stream thread takes the aimed SIGTERM itself', async () => {
    const records = await storm(binaries.unblocked, 'client-stream-sigterm', 3);
    for (const r of records) {
      if (r.trace?.kind !== 'traced') throw new Error('not traced');
      const aimedAt = r.signals?.[0]?.aimedAt;
      expect(r.trace.signals[0]?.takenBy).toEqual({ tid: aimedAt?.tid, role: aimedAt?.role });
      expect(r.trace.signals[0]?.takenBy?.role).not.toBe('main');
    }
  });

  it('where tracing is off, each record says why and the storm runs as before', async () => {
    const out = join(dir, 'off.jsonl');
    const args = [
      'storm',
      '--binary',
      '/usr/bin/iperf3',
      '--workload',
      'server-sigterm',
      '--iterations',
      '2',
    ];
    const run = await execa('node', [cli, ...args, '--out', out, '--quiet'], {
      env: { SIGSTORM_TRACE: '0' },
      reject: false,
    });
    expect(run.exitCode).toBe(0);
    const records = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const r of records) {
      expect(r.trace).toEqual({ kind: 'off', why: 'turned off by SIGSTORM_TRACE=0' });
      expect(r.target.outcome.kind).toBe('clean');
      expect(r.census.server.threads.length).toBe(1);
    }
  });

  it('the tracing state is the same before and after a storm stopped by Ctrl-C', async () => {
    const before = tracingState();
    const out = join(dir, 'interrupted.jsonl');
    const args = ['storm', '--binary', binaries.unpatched, '--workload', 'server-burst'];
    const child = execa('node', [cli, ...args, '--iterations', '200', '--out', out, '--quiet'], {
      reject: false,
    });
    const mine = join(root, 'instances', `sigstorm-${child.pid}`);
    const deadline = performance.now() + 60_000;
    while (!((await lines(out)) >= 2 && existsSync(mine)) && performance.now() < deadline) await sleep(50);
    expect(existsSync(mine)).toBe(true);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);
    expect(tracingState()).toEqual(before);
  });

  it('an instance left by a sigstorm killed outright is removed by the next one', async () => {
    const before = tracingState();
    const out = join(dir, 'killed.jsonl');
    const args = ['storm', '--binary', binaries.unpatched, '--workload', 'server-burst'];
    const child = execa('node', [cli, ...args, '--iterations', '200', '--out', out, '--quiet'], {
      reject: false,
    });
    const left = join(root, 'instances', `sigstorm-${child.pid}`);
    const deadline = performance.now() + 60_000;
    while (!((await lines(out)) >= 1 && existsSync(left)) && performance.now() < deadline) await sleep(50);
    // Its processes (the sandbox, the iperf3 pair) lead groups of their own and belong to init once
    // it is gone: named now, by descent (other files storm the same binary beside this one).
    const family = await descendants(child.pid ?? 0);
    child.kill('SIGKILL');
    await child;
    expect(existsSync(left)).toBe(true);
    // Ended by group, as the harness would have.
    for (const p of family) {
      try {
        process.kill(-p.pgid, 'SIGKILL');
      } catch {
        // That group is gone already.
      }
    }
    // Gone (or a zombie waiting for init) within seconds.
    const remaining = async () => {
      const now = new Map((await listProcesses()).map((p) => [p.pid, p]));
      return family.filter((p) => {
        const q = now.get(p.pid);
        return q !== undefined && q.state !== 'Z' && q.pgid === p.pgid;
      });
    };
    const until = performance.now() + 10_000;
    while ((await remaining()).length > 0 && performance.now() < until) await sleep(100);
    expect(await remaining()).toEqual([]);
    const next = await execa(
      'node',
      [cli, ...args, '--iterations', '1', '--out', join(dir, 'next.jsonl'), '--quiet'],
      {
        reject: false,
      },
    );
    expect(next.exitCode).toBe(0);
    expect(existsSync(left)).toBe(false);
    expect(tracingState()).toEqual(before);
  });
});

/** Every process below `pid` now. */
async function descendants(pid: number): Promise<ProcessInfo[]> {
  const all = await listProcesses();
  const below = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all)
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        grew = true;
      }
  }
  return all.filter((p) => p.pid !== pid && below.has(p.pid));
}

async function lines(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '').length;
}
