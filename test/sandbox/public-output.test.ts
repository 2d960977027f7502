/**
 * What a hostile build prints reaches the public (PR comment, check run) only through the one
 * redaction filter and inside a fence that no line of the log can close.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandFailureError } from '../../src/compile/build-error.js';
import { CommandFailure, runLogged } from '../../src/compile/run-logged.js';
import { CheckRepair } from '../../src/publish/executor/recovery.js';
import { truncate, unclosedFence, updateCheckRun } from '../../src/publish/github/check-run.js';
import type { Octokit } from '../../src/publish/github/octokit.js';
import { errorOutput } from '../../src/publish/messages/check-outputs.js';
import { clearSecrets, redact, registerSecret } from '../../src/publish/messages/redact.js';
import { errorComment } from '../../src/publish/messages/report-comment-body.js';
import type { Services } from '../../src/publish/services.js';
import type { Job } from '../../src/publish/store/job.js';
import { JobStore } from '../../src/publish/store/job-store.js';

const secret = 'whsec-public-output-93d1a7';
const keyBody = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw';
const token = `ghs_${'A1b2C3d4E5'.repeat(4)}`;
const pat = `github_pat_11ABCDEFG0${'x'.repeat(40)}`;

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sigstorm-public-'));
  registerSecret(secret);
  registerSecret(`-----BEGIN RSA PRIVATE KEY-----\n${keyBody}\n-----END RSA PRIVATE KEY-----\n`);
});
afterAll(async () => {
  clearSecrets();
  await rm(root, { recursive: true, force: true });
});

const job = {
  headSha: 'a'.repeat(40),
  baseSha: 'b'.repeat(40),
  baseLabel: 'main',
  headLabel: 'pr',
  requestedBy: 'someone',
  trigger: 'pull_request',
  options: {},
} as unknown as Job;

/** Every fence opened is closed by one at least as long (the check run's own rule, applied to the output). */
const fencesBalanced = (markdown: string): boolean => unclosedFence(markdown) === null;

describe('public output of a hostile build', () => {
  it('redacts the secrets a build log prints and keeps its backticks inside the fence', async () => {
    const tree = join(root, 'tree');
    await mkdir(tree, { recursive: true });
    // The build "found" the secrets (it cannot in the sandbox: test/sandbox/hostile-build.test.ts) and prints them.
    await writeFile(
      join(tree, 'Makefile'),
      [
        'all:',
        `\t@echo "WEBHOOK_SECRET=${secret}"`,
        '\t@echo "-----BEGIN RSA PRIVATE KEY-----"',
        `\t@echo "${keyBody}"`,
        `\t@echo "token ${token} and ${pat}"`,
        `\t@echo "https://x-access-token:${token}@github.com/o/r.git"`,
        "\t@echo '```'",
        "\t@echo '</details> ## not a heading'",
        '\t@exit 3',
        '',
      ].join('\n'),
    );
    const logFile = join(root, 'build.log');
    let error: unknown;
    try {
      await runLogged('make', [], { cwd: tree, logFile });
    } catch (caught) {
      if (!(caught instanceof CommandFailure)) throw caught;
      error = await commandFailureError(caught, {
        tree: { repo: 'x', ref: 'y', commit: null, patches: [] } as never,
        step: 'make',
        logFile,
      });
    }
    expect(error).toBeDefined();
    const output = errorOutput(job, error);
    const check = { title: redact(output.title), summary: redact(output.summary) };
    const comment = errorComment(job, check.summary);
    for (const text of [check.title, check.summary, comment, truncate(comment, 600)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain(token);
      expect(text).not.toContain(pat);
      expect(text).not.toContain('BEGIN RSA PRIVATE KEY');
    }
    // The log's own ``` line is inside a longer fence: the block is not ended early.
    expect(check.summary).toContain('\n````text\n');
    expect(check.summary).toContain('[redacted]');
    expect(fencesBalanced(check.summary)).toBe(true);
    expect(fencesBalanced(comment)).toBe(true);
    expect(fencesBalanced(truncate(comment, 600))).toBe(true);
  });

  it('the repair pass posts a stored failure cause redacted and fenced, and annotations redacted', async () => {
    const store = new JobStore(join(root, 'jobs.sqlite'));
    const updates: { output: { title: string; summary: string; annotations?: { message: string }[] } }[] = [];
    const octokit = {
      rest: {
        checks: {
          update: async (params: (typeof updates)[number]) => {
            updates.push(params);
            return { data: {} };
          },
        },
      },
    } as unknown as Octokit;
    const services = {
      store,
      auth: async () => octokit,
      log: { warn: () => undefined, info: () => undefined, error: () => undefined },
      executor: { notify: () => undefined, abort: () => false },
    } as unknown as Services;
    try {
      const { job } = store.insert({
        deliveryId: 'delivery-repair',
        dedupeKey: 'o/r#1@aaa:repair',
        kind: 'pull_request',
        trigger: 'opened',
        installationId: 1,
        owner: 'o',
        repo: 'r',
        pullNumber: 1,
        cloneUrl: 'https://github.invalid/o/r.git',
        baseSha: 'b'.repeat(40),
        baseLabel: 'main',
        headSha: 'a'.repeat(40),
        headLabel: '#1',
        options: { profile: 'pr' },
        checkName: 'sigstorm',
        requestedBy: 'someone',
      });
      store.setCheckRun(job.id, 77);
      expect(store.claimNext()?.id).toBe(job.id);
      // A cause quoting the build log, stored as it came (the check update failed, so it waits for repair).
      const cause = [
        `make failed: WEBHOOK_SECRET=${secret}`,
        '```',
        `${keyBody}`,
        `token ${token}`,
        '</details> ## not a heading',
      ].join('\n');
      expect(store.transition(job.id, ['running'], 'failed', { note: cause, conclusion: 'failure' })).toBe(
        true,
      );
      expect(await new CheckRepair(() => services, 0).run()).toBe(1);
      expect(updates).toHaveLength(1);
      const posted = updates[0]?.output;
      for (const text of [posted?.title ?? '', posted?.summary ?? '']) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(keyBody);
        expect(text).not.toContain(token);
      }
      expect(posted?.summary).toContain('[redacted]');
      expect(posted?.summary).toMatch(/^````text\n/m);
      expect(fencesBalanced(posted?.summary ?? '')).toBe(true);

      // Annotations carry text from the tree's frames: the same filter.
      const current = store.get(job.id) as Job;
      await updateCheckRun(octokit, current, {
        status: 'completed',
        conclusion: 'failure',
        output: {
          title: 'crash',
          summary: 'crash',
          annotations: [
            {
              path: 'src/iperf_api.c',
              start_line: 1,
              end_line: 1,
              annotation_level: 'failure',
              title: `crash ${token}`,
              message: `at frame printing ${secret}`,
            },
          ],
        },
      });
      const annotation = JSON.stringify(updates[1]?.output.annotations);
      expect(annotation).not.toContain(secret);
      expect(annotation).not.toContain(token);
      expect(annotation).toContain('[redacted]');
    } finally {
      store.close();
    }
  });
});
