import { describe, expect, it } from 'vitest';
import { parseBisectFlags } from '../../src/cli/commands/bisect-flags.js';
import { UsageError } from '../../src/util/errors.js';

const parse = (raw: Record<string, unknown>) => parseBisectFlags({ sandbox: true, ...raw });
const problem = (raw: Record<string, unknown>) => {
  try {
    parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('sigstorm bisect flags', () => {
  it('takes a patch series and named cells', () => {
    const flags = parse({
      headPatches: 'a.patch,b.patch',
      workloads: 'client-burst',
      variants: 'plain,asan',
    });
    expect(flags.headPatches).toEqual(['a.patch', 'b.patch']);
    expect(flags.variants).toEqual(['plain', 'asan']);
  });

  it('refuses a run with nothing to bisect, or no cells', () => {
    expect(problem({ workloads: 'client-burst' })).toMatch(/^nothing to bisect: give a patch series/);
    expect(problem({ headPatches: 'a.patch' })).toMatch(/^name the cells that regressed/);
  });

  it('refuses contradictory or incomplete flags', () => {
    expect(problem({ headPatches: 'a.patch', good: 'v1', bad: 'v2', repo: '.', workloads: 'x' })).toMatch(
      /--head-patches cannot be combined with --good/,
    );
    expect(problem({ good: 'v1', repo: '.', workloads: 'x' })).toMatch(/--good needs --bad/);
    expect(problem({ good: 'v1', bad: 'v2', workloads: 'x' })).toMatch(/--good needs --repo/);
    expect(problem({ headPatches: 'a', fromReport: 'r.json', workloads: 'x' })).toMatch(
      /--from-report cannot be combined with --workloads/,
    );
    expect(problem({ headPatches: 'a', workloads: 'x', alpha: '1.5' })).toBe(
      '--alpha must be between 0 and 1',
    );
    expect(problem({ headPatches: ',', workloads: 'x' })).toMatch(/--head-patches is an empty list/);
  });
});
