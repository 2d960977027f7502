import { describe, expect, it } from 'vitest';
import { RepoConfig } from '../../src/config/repo-config.schema.js';
import {
  checkRepoConfig,
  formatConfigProblem,
  parseRepoConfigText,
} from '../../src/config/repo-config-parse.js';
import { conclusionFor } from '../../src/pipeline/output/conclusion.js';
import { commentAction } from '../../src/publish/messages/comment-wanted.js';

describe('.github/sigstorm.yml', () => {
  it('has defaults for everything: failure on a regression, neutral when inconclusive, every variant on release', () => {
    const config = RepoConfig.parse({});
    expect(config.policy.stability).toEqual({
      regression: 'failure',
      improvement: 'success',
      neutral: 'success',
      inconclusive: 'neutral',
    });
    expect(config.policy.throughput).toEqual(config.policy.stability);
    expect(config.release).toEqual({ tags: ['v*', '3.*'], variants: ['plain', 'asan', 'tsan'] });
    expect(config.iterations).toBeUndefined();
  });

  it('reads a valid file and keeps the defaults it does not override', () => {
    const result = parseRepoConfigText(
      'iterations: 500\nvariants: [plain, tsan]\npolicy:\n  throughput:\n    regression: neutral\n',
    );
    expect(result.ok && result.config.iterations).toBe(500);
    expect(result.ok && result.config.policy.throughput.regression).toBe('neutral');
    expect(result.ok && result.config.policy.stability.regression).toBe('failure');
  });

  it('locates each problem by line, column and path', () => {
    const text = [
      'workloads: [server-sigterm]',
      'iterations: 90000',
      'policy:',
      '  stability:',
      '    regresion: neutral',
      'variants: [plain, msan]',
    ].join('\n');
    const result = parseRepoConfigText(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatConfigProblem)).toEqual([
      '.github/sigstorm.yml:2:13: iterations: iterations may be at most 20000 (per cell and side)',
      '.github/sigstorm.yml:5:5: policy.stability.regresion: unknown field (see docs/github-app.md for the fields)',
      '.github/sigstorm.yml:6:19: variants[1]: Invalid option: expected one of "plain"|"asan"|"tsan"',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const result = parseRepoConfigText('iterations: 5\npolicy: [unclosed\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('validates an already parsed value (Probot loader) with paths but no lines', () => {
    const result = checkRepoConfig({ iterations: 'many' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ path: 'iterations' });
    expect(result.problems[0]).not.toHaveProperty('line');
  });

  it('turns verdicts into the check conclusion under the policy: the worse of the two wins', () => {
    const { policy } = RepoConfig.parse({ policy: { throughput: { regression: 'neutral' } } });
    expect(conclusionFor({ stability: 'neutral', throughput: 'neutral' }, policy)).toBe('success');
    expect(conclusionFor({ stability: 'regression', throughput: 'improvement' }, policy)).toBe('failure');
    expect(conclusionFor({ stability: 'inconclusive', throughput: 'neutral' }, policy)).toBe('neutral');
    expect(conclusionFor({ stability: 'improvement', throughput: 'regression' }, policy)).toBe('neutral');
  });

  it('says when the report comment is written: always by default, quiet on neutral, or never', () => {
    expect(RepoConfig.parse({}).comment).toBe('always');
    const report = (stability: string, throughput: string, rows: number) =>
      ({
        verdict: { stability, throughput },
        throughput: { rows: Array.from({ length: rows }, () => ({})) },
      }) as Parameters<typeof commentAction>[1];
    expect(commentAction('always', report('neutral', 'neutral', 1))).toBe('write');
    expect(commentAction('never', report('regression', 'neutral', 1))).toBe('none');
    expect(commentAction('not-neutral', report('neutral', 'neutral', 1))).toBe('update-only');
    // Throughput that was not measured is inconclusive by verdict but not news.
    expect(commentAction('not-neutral', report('neutral', 'inconclusive', 0))).toBe('update-only');
    expect(commentAction('not-neutral', report('neutral', 'inconclusive', 1))).toBe('write');
    expect(commentAction('not-neutral', report('improvement', 'neutral', 1))).toBe('write');
    expect(commentAction('not-neutral', report('inconclusive', 'neutral', 0))).toBe('write');
    const bad = parseRepoConfigText('comment: sometimes\n');
    expect(bad.ok).toBe(false);
  });
});
