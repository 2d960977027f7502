import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppAuth } from '../support/github-standin/auth.js';
import { GitHubModel } from '../support/github-standin/model.js';
import { sharedOpenApi } from '../support/github-standin/openapi.js';
import { GitHubStandIn } from '../support/github-standin/standin.js';

/** The stand-in is the judge of every app test: these tests check that it does refuse what GitHub would. */

const appId = 99;
const keys = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const mine = keys();
const someoneElses = keys();

function jwt(privateKey: string, claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), privateKey).toString('base64url')}`;
}

describe('the GitHub stand-in', () => {
  let standin: GitHubStandIn;
  let model: GitHubModel;
  let api: string;
  const now = () => Math.floor(Date.now() / 1000);
  const call = (method: string, path: string, auth: string, body?: unknown) =>
    fetch(`${api}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    const auth = new AppAuth(appId, mine.publicKey);
    model = new GitHubModel(sharedOpenApi(), auth);
    model.installations.add(5);
    model.addRepo('o/r');
    standin = await GitHubStandIn.start({ auth, handlers: model.handlers(), prefix: '/api/v3' });
    api = `http://${standin.host}/api/v3`;
  });
  afterAll(() => standin.close());
  beforeEach(() => {
    standin.problems.length = 0;
  });

  async function token(): Promise<string> {
    const response = await call(
      'POST',
      '/app/installations/5/access_tokens',
      `Bearer ${jwt(mine.privateKey, { iss: String(appId), iat: now() - 30, exp: now() + 500 })}`,
    );
    expect(response.status).toBe(201);
    return ((await response.json()) as { token: string }).token;
  }

  it('issues an installation token for a JWT signed with the App key, and accepts it afterwards', async () => {
    standin.expect('apps/create-installation-access-token', 'checks/create');
    const response = await call('POST', '/repos/o/r/check-runs', `token ${await token()}`, {
      name: 'sigstorm',
      head_sha: 'a'.repeat(40),
      status: 'queued',
    });
    expect(response.status).toBe(201);
    expect(standin.problems).toEqual([]);
    expect(model.checkRunsOf('o/r')[0]?.history).toEqual([
      { status: 'queued', conclusion: null, title: null, summary: null },
    ]);
  });

  it('refuses a JWT signed with another key, an expired one, and tokens it never issued', async () => {
    standin.expect('apps/create-installation-access-token', 'checks/create');
    const forged = jwt(someoneElses.privateKey, { iss: String(appId), iat: now(), exp: now() + 500 });
    expect((await call('POST', '/app/installations/5/access_tokens', `Bearer ${forged}`)).status).toBe(401);
    const expired = jwt(mine.privateKey, { iss: String(appId), iat: now() - 900, exp: now() - 300 });
    expect((await call('POST', '/app/installations/5/access_tokens', `Bearer ${expired}`)).status).toBe(401);
    const body = { name: 'x', head_sha: 'a'.repeat(40) };
    expect((await call('POST', '/repos/o/r/check-runs', 'token ghs_madeup', body)).status).toBe(401);
    expect(standin.problems).toEqual([
      expect.stringContaining("signature does not verify with the App's public key"),
      expect.stringContaining('JWT has expired'),
      expect.stringContaining('never issued'),
    ]);
  });

  it('refuses what GitHub would: unknown operations, invalid bodies and parameters, paths outside /api/v3', async () => {
    standin.expect('apps/create-installation-access-token', 'checks/update');
    const auth = `token ${await token()}`;
    expect((await call('POST', '/repos/o/r/check-suns', auth, {})).status).toBe(404);
    expect((await call('PATCH', '/repos/o/r/check-runs/1', auth, { status: 'completed' })).status).toBe(422);
    expect((await call('PATCH', '/repos/o/r/check-runs/abc', auth, { status: 'queued' })).status).toBe(422);
    expect((await fetch(`http://${standin.host}/repos/o/r/check-runs/1`, { method: 'PATCH' })).status).toBe(
      404,
    );
    expect(standin.problems).toEqual([
      expect.stringContaining("GitHub's OpenAPI description has no such operation"),
      expect.stringContaining("body must have required property 'conclusion'"),
      expect.stringContaining('check_run_id="abc" must be integer'),
      expect.stringContaining('not under the API prefix /api/v3'),
    ]);
  });

  it('refuses a valid request that no test expected', async () => {
    standin.expect('apps/create-installation-access-token');
    const auth = `token ${await token()}`;
    standin.unexpect('issues/create-comment');
    expect((await call('POST', '/repos/o/r/issues/1/comments', auth, { body: 'hi' })).status).toBe(422);
    expect(standin.problems).toEqual([
      'unexpected request issues/create-comment (POST /repos/o/r/issues/1/comments): no test expected it',
    ]);
  });

  describe('injected faults', () => {
    const check = (auth: string) =>
      call('POST', '/repos/o/r/check-runs', auth, { name: 'f', head_sha: 'b'.repeat(40), status: 'queued' });

    it('answers 502 to every third request of an operation, still validating each one', async () => {
      standin.expect('apps/create-installation-access-token', 'checks/create');
      const auth = `token ${await token()}`;
      const rule = standin.inject({
        fault: { kind: 'status', status: 502 },
        operationId: 'checks/create',
        every: 3,
      });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await check(auth)).status);
      // An invalid request is refused as such, not faulted: the app's bugs stay visible under faults.
      expect((await call('POST', '/repos/o/r/check-runs', auth, { name: 'f' })).status).toBe(422);
      rule.remove();
      expect(statuses).toEqual([201, 201, 502, 201, 201, 502]);
      expect(rule.fired).toBe(2);
      expect(standin.faulted.map((c) => c.status)).toEqual([502, 502]);
      expect(standin.problems).toEqual([expect.stringContaining("must have required property 'head_sha'")]);
    });

    it('answers 429 with Retry-After, a limited number of times', async () => {
      standin.expect('apps/create-installation-access-token', 'checks/create');
      const auth = `token ${await token()}`;
      standin.inject({ fault: { kind: 'rate-limit', retryAfterSeconds: 7 }, times: 1 });
      const limited = await check(auth);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(((await limited.json()) as { message: string }).message).toMatch(/secondary rate limit/);
      expect((await check(auth)).status).toBe(201);
      standin.heal();
      expect(standin.problems).toEqual([]);
    });

    it('resets the connection before the request takes effect, or after (the answer is lost)', async () => {
      standin.expect('apps/create-installation-access-token', 'checks/create');
      const auth = `token ${await token()}`;
      const before = model.checkRunsOf('o/r', 'f').length;
      const first = standin.inject({ fault: { kind: 'reset', when: 'before' }, times: 1 });
      await expect(check(auth)).rejects.toThrow();
      first.remove();
      expect(model.checkRunsOf('o/r', 'f')).toHaveLength(before);
      standin.inject({ fault: { kind: 'reset', when: 'after' }, times: 1 });
      await expect(check(auth)).rejects.toThrow();
      standin.heal();
      // The second one exists on "GitHub", though the client never heard of it.
      expect(model.checkRunsOf('o/r', 'f')).toHaveLength(before + 1);
      expect(standin.faulted.slice(-2).map((c) => c.status)).toEqual([0, 0]);
      expect(standin.problems).toEqual([]);
    });
  });
});
