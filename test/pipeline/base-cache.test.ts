import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBaseCache } from '../../src/pipeline/base-cache.js';
import { clean, record } from '../support/record-fixtures.js';

const key = { buildKey: 'b1', workloadText: 'w', seed: 7, lanes: ['0,1'], sandbox: 'none' as const };
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('base-results cache', () => {
  it('says how many records it holds in a row from an iteration on, also after reopening', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sigstorm-base-cache-'));
    dirs.push(root);
    const cache = await openBaseCache(root, key);
    expect(cache.heldFrom(0)).toBe(0);
    // A warm-up's prefix 0 … 30, and iterations 40 and 41 of another run.
    await cache.add([
      ...Array.from({ length: 31 }, (_, i) => record(i, clean(0), null)),
      record(40, clean(0), null),
    ]);
    await cache.add([record(41, clean(0), null)]);
    expect(cache.heldFrom(0)).toBe(31);
    expect(cache.heldFrom(20)).toBe(11);
    expect(cache.heldFrom(31)).toBe(0);
    expect(cache.heldFrom(40)).toBe(2);
    const reopened = await openBaseCache(root, key);
    expect(reopened.heldFrom(0)).toBe(31);
    expect(reopened.take([29, 30, 31]).missing).toEqual([31]);
    // The fixture's records each took 300 ms on one lane.
    expect(reopened.meanIterationMs()).toBe(300);
  });
});
