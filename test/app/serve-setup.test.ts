import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import { deliver } from '../support/github-standin/webhooks.js';
import { Harness, maintainer, testEnv } from './support/harness.js';
import { pullRequestPayload } from './support/payloads.js';

/** `sigstorm serve` with setup mistakes: it says what to set, and exits before listening. */
async function serve(env: Record<string, string>, cwd: string) {
  const result = await execa('node', [join(installRoot, 'bin', 'sigstorm.js'), 'serve'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '17999', ...env },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode, stderr: result.stderr };
}

describe('sigstorm serve setup', () => {
  let dir: string;
  let rsa: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigstorm-serve-'));
    rsa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).privateKey;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists every missing setting with what to set, exit status 2', async () => {
    const { exitCode, stderr } = await serve({}, dir);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('the GitHub App cannot start: 3 setup problem(s)');
    expect(stderr).toContain('APP_ID is not set: set it to the numeric App ID');
    expect(stderr).toContain('WEBHOOK_SECRET is not set');
    expect(stderr).toContain('no private key: set PRIVATE_KEY_PATH to the path of the .pem file');
  });

  it('explains a bad key, an unreadable key file, a non-numeric App ID and a bad GHE_HOST', async () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    await writeFile(join(dir, 'ec.pem'), ec);
    const truncated = await serve(
      {
        APP_ID: 'my-app',
        WEBHOOK_SECRET: 's',
        PRIVATE_KEY: rsa.slice(0, 200),
        GHE_HOST: 'https://ghe.example',
      },
      dir,
    );
    expect(truncated.exitCode).toBe(2);
    expect(truncated.stderr).toContain('APP_ID must be the numeric App ID');
    expect(truncated.stderr).toContain('PRIVATE_KEY is not a valid PEM private key');
    expect(truncated.stderr).toContain('GHE_HOST must be a host name with an optional port');
    const missingFile = await serve({ APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY_PATH: 'nope.pem' }, dir);
    expect(missingFile.stderr).toContain('PRIVATE_KEY_PATH=nope.pem cannot be read (ENOENT)');
    const notRsa = await serve({ APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY_PATH: 'ec.pem' }, dir);
    expect(notRsa.stderr).toContain('is a ec key; GitHub Apps sign with RSA');
  });

  it('refuses to start without a sandbox: user namespaces used up, exit status 1 before listening', async () => {
    // A user namespace whose limit of nested user namespaces is already reached (its own child):
    // the App inside it (uid 1000 there) meets what a host with user namespaces disabled gives bwrap.
    const started = Date.now();
    const contained = [
      'echo 1 > /proc/sys/user/max_user_namespaces',
      'exec unshare --user --map-user=1000 --map-group=1000 -- "$@"',
    ].join(' && ');
    const result = await execa(
      'unshare',
      [
        '--user',
        '--map-root-user',
        '--',
        'sh',
        '-c',
        contained,
        'sh',
        process.execPath,
        join(installRoot, 'bin', 'sigstorm.js'),
        'serve',
      ],
      {
        cwd: dir,
        env: {
          PATH: '/usr/bin:/bin',
          HOME: process.env.HOME ?? '',
          PORT: '17998',
          APP_ID: '1',
          WEBHOOK_SECRET: 'serve-refusal-secret',
          PRIVATE_KEY: rsa,
          SIGSTORM_CACHE_DIR: join(dir, 'cache'),
        },
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      },
    );
    expect(result.stderr).toContain(
      "sigstorm serve refuses to start: it runs pull requests' code only in a sandbox, and none can be created here.",
    );
    expect(result.stderr).toContain('A bubblewrap sandbox cannot be created on this machine.');
    // The first user namespace a sandbox needs is its stage's (src/sandbox/stage.ts): unshare's.
    expect(result.stderr).toContain('unshare failed: No space left on device');
    expect(result.stderr).toContain('user.max_user_namespaces must be above 0');
    expect(result.stderr).not.toContain('Listening');
    expect(result.stderr).not.toContain('serve-refusal-secret');
    expect(result.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('refuses a delivery signed with another secret and makes no request', async () => {
    const h = await Harness.create(testEnv);
    try {
      await h.startApp();
      const payload = pullRequestPayload('opened', h.where, {
        number: 1,
        headSha: h.fixture.baseSha,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      });
      const forged = await deliver(h.app.webhookUrl, 'not the secret', 'pull_request', payload);
      expect(forged.status).toBe(400);
      await h.settle(300);
      expect(h.standin.calls).toEqual([]);
      expect(h.standin.problems).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
