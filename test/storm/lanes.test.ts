import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allowedCpus, parseCpuList } from '../../src/storm/cpus.js';
import { drawChoices } from '../../src/storm/iteration.js';
import { createLanePool, splitCpus } from '../../src/storm/lanes.js';
import { placeSides } from '../../src/storm/placement.js';
import { drawInt, iterationRandom } from '../../src/storm/prng.js';
import { portState } from '../../src/storm/proc-net.js';
import { resolveStormWorkload } from '../../src/workload/load.js';

describe('CPU sets and lanes', () => {
  it('parses taskset lists and splits cores into lanes that never share one', () => {
    expect(parseCpuList('0-3,6, 8')).toEqual([0, 1, 2, 3, 6, 8]);
    expect(() => parseCpuList('0-x')).toThrow(/Invalid CPU list/);
    expect(splitCpus([0, 1], 1)).toEqual([[0, 1]]);
    expect(splitCpus([0, 1], 2)).toEqual([[0], [1]]);
    expect(splitCpus([0, 1, 2, 3, 4], 2)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('defaults to one lane per two CPUs, each with its own free port range', async () => {
    const cpus = allowedCpus();
    const pool = await createLanePool();
    expect(pool.lanes).toHaveLength(Math.max(1, Math.floor(cpus.length / 2)));
    expect(pool.lanes.flatMap((l) => l.cpus).sort((a, b) => a - b)).toEqual(cpus);
    const ports = pool.lanes.flatMap((l) => l.ports);
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port).toBeLessThan(32768); // below the ephemeral range
  });

  it('rejects more lanes than cores, and CPUs this process may not use', async () => {
    await expect(createLanePool({ lanes: allowedCpus().length + 1 })).rejects.toThrow(/Cannot make/);
    await expect(createLanePool({ cpus: '4095' })).rejects.toThrow(/not available/);
  });

  it('rotates ports and skips one that is in use', async () => {
    const pool = await createLanePool({ lanes: 1, portsPerLane: 3 });
    const lane = pool.lanes[0];
    if (!lane) throw new Error('no lane');
    const [a, b, c] = lane.ports;
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(b, '127.0.0.1', resolve));
    try {
      expect((await portState(b ?? 0)).listening).toBe(true);
      expect(await pool.acquirePort(lane)).toBe(a);
      expect(await pool.acquirePort(lane)).toBe(c); // b is taken
      expect(await pool.acquirePort(lane)).toBe(a);
    } finally {
      server.close();
    }
  });

  it('places processes freely on the lane by default; pinning is an option', async () => {
    const lane = { index: 0, cpus: [2, 3], cpuList: '2,3', ports: [1] };
    expect(placeSides('none', lane.cpus, 'lane 0')).toEqual({ kind: 'ok', server: '2,3', client: '2,3' });
    expect(placeSides('same-core', lane.cpus, 'lane 0')).toEqual({ kind: 'ok', server: '2', client: '2' });
    expect(placeSides('one-core-each', lane.cpus, 'lane 0')).toEqual({
      kind: 'ok',
      server: '2',
      client: '3',
    });
    expect(placeSides('one-core-each', [2], 'lane 0').kind).toBe('impossible');
  });
});

describe('seeded choices', () => {
  it('the same seed and iteration give the same draws; others differ', async () => {
    const { workload } = await resolveStormWorkload('server-double-sigterm');
    expect(drawChoices(workload, 7, 3)).toEqual(drawChoices(workload, 7, 3));
    const delays = new Set(Array.from({ length: 50 }, (_, i) => drawChoices(workload, 7, i).delayMs));
    expect(delays.size).toBeGreaterThan(30);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThanOrEqual(400);
    }
    expect(drawChoices(workload, 8, 3)).not.toEqual(drawChoices(workload, 7, 3));
  });

  it('draws cover the whole window, ends included', () => {
    const random = iterationRandom(1, 1);
    const seen = new Set(Array.from({ length: 600 }, () => drawInt(random, [0, 5])));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
