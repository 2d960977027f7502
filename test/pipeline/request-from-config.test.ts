import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseValidateFlags } from '../../src/cli/commands/validate-flags.js';
import { validateRequestFor } from '../../src/cli/commands/validate-setup.js';
import { configPath, RepoConfig } from '../../src/config/repo-config.schema.js';
import { parseRepoConfigText } from '../../src/config/repo-config-parse.js';
import type { ValidateRequest } from '../../src/pipeline/request/contract.js';
import { requestFromConfig } from '../../src/pipeline/request/request-from-config.js';
import { jobRequest } from '../../src/publish/executor/run-job.js';

const configText = [
  'workloads: [server-burst]',
  'variants: [plain]',
  'iterations: 40',
  'budgetSeconds: 120',
  'throughputRuns: 3',
  'thresholds:',
  '  stability:',
  '    minIterationsPerSide: 30',
  'release:',
  '  variants: [asan, tsan]',
  '  budgetSeconds: 900',
  '',
].join('\n');

function parsed(text: string): RepoConfig {
  const result = parseRepoConfigText(text);
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

describe('one request from one config', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'sigstorm-request-'));
    await mkdir(join(repo, '.github'));
    await writeFile(join(repo, configPath), configText);
  });
  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('takes each setting from the override, else the config for the profile, else leaves it to the pipeline', () => {
    const config = parsed(configText);
    const trees = { base: { ref: 'a' }, head: { ref: 'b' } };
    const pr = requestFromConfig({ ...trees, config, profile: 'pr', overrides: { iterations: 7 } });
    expect(pr).toEqual({
      ...trees,
      profile: 'pr',
      thresholds: config.thresholds,
      workloads: ['server-burst'],
      variants: ['plain'],
      iterations: 7,
      budgetSeconds: 120,
      throughputRuns: 3,
    });
    const release = requestFromConfig({ ...trees, config, profile: 'release', iterationsCap: 50 });
    expect(release).toEqual({
      ...trees,
      profile: 'release',
      thresholds: config.thresholds,
      variants: ['asan', 'tsan'],
      iterations: 50,
      budgetSeconds: 900,
    });
    // Without a config, nothing is set but the trees, the profile and the default thresholds.
    const bare = requestFromConfig({ ...trees, config: RepoConfig.parse({}), profile: 'pr' });
    expect(Object.keys(bare).sort()).toEqual(['base', 'head', 'profile', 'thresholds']);
  });

  it('the CLI and the App build the same request from the same config', async () => {
    const cli = await validateRequestFor(
      parseValidateFlags({ repo, base: 'a', head: 'b', profile: 'release' }),
    );
    expect(cli.file).toBe(join(repo, configPath));
    const app = jobRequest(
      { baseSha: 'a', headSha: 'b', options: { profile: 'release' }, cloneUrl: 'https://github.com/o/r.git' },
      parsed(configText),
      repo,
      undefined,
    );
    // The CLI lists the patches it applies (none here); the App applies none, and names the
    // repository in reports by its clone URL (the CLI by the repository's own remote).
    const trees = (r: ValidateRequest) => ({
      ...r,
      base: { ...r.base, patches: [], publicRepo: undefined },
      head: { ...r.head, patches: [], publicRepo: undefined },
    });
    expect(app.head.publicRepo).toBe('https://github.com/o/r.git');
    expect(trees(cli.request)).toEqual(trees(app));
  });

  it("the CLI honours the config's budget, throughput runs and thresholds (once ignored); flags still win", async () => {
    const { request } = await validateRequestFor(parseValidateFlags({ repo }));
    expect(request).toMatchObject({ budgetSeconds: 120, throughputRuns: 3, iterations: 40 });
    expect(request.thresholds).toMatchObject({ stability: { minIterationsPerSide: 30 } });
    const flagged = await validateRequestFor(parseValidateFlags({ repo, budget: '5m', throughputRuns: '0' }));
    expect(flagged.request).toMatchObject({ budgetSeconds: 300, throughputRuns: 0 });
  });

  it('--no-config ignores the repository file; --config names another; a broken one says where', async () => {
    const none = await validateRequestFor(parseValidateFlags({ repo, config: false }));
    expect(none.file).toBeUndefined();
    expect(none.request.budgetSeconds).toBeUndefined();
    const other = join(repo, 'other.yml');
    await writeFile(other, 'budgetSeconds: 60\n');
    const named = await validateRequestFor(parseValidateFlags({ repo, config: other }));
    expect(named.request.budgetSeconds).toBe(60);
    await writeFile(other, 'budgetSeconds: 60\nbudget: 1\n');
    await expect(validateRequestFor(parseValidateFlags({ repo, config: other }))).rejects.toMatchObject({
      details: expect.stringContaining(`${other}:2:1: budget: unknown field`),
    });
  });
});
