/**
 * Cloning a remote with credentials, as a user runs it (`SIGSTORM_GIT_USERNAME=… SIGSTORM_GIT_PASSWORD=…
 * node bin/sigstorm.js build --repo http://host/…`; the CLI refuses them inside the URL, see
 * bad-input.test.ts), against loopback HTTP servers of the test's own: the secret is on no process's
 * command line at any moment of the clone, reaches the server through git's credential helper, and
 * an interrupted or timed-out clone leaves no process and no partial folder behind.
 */

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import { listProcesses, type ProcessInfo } from '../support/stray-processes.js';

const cli = join(installRoot, 'bin', 'sigstorm.js');
const secret = 'secret-4f9c2e';
const credentials = { SIGSTORM_GIT_USERNAME: 'user', SIGSTORM_GIT_PASSWORD: secret };
let dir = '';
const servers: Server[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-clone-'));
});
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listen(
  onRequest: (
    request: IncomingMessage,
    respond: (status: number, headers?: Record<string, string>) => void,
  ) => void,
): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((request, response) =>
    onRequest(request, (status, headers) => {
      response.writeHead(status, headers);
      response.end();
    }),
  );
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** Every process whose ancestry leads to `root` (git and its helpers are in their own group, not session-less). */
function descendants(all: readonly ProcessInfo[], root: number): ProcessInfo[] {
  const byPid = new Map(all.map((p) => [p.pid, p]));
  return all.filter((p) => {
    for (let at = byPid.get(p.ppid); at; at = byPid.get(at.ppid)) if (at.pid === root) return true;
    return p.ppid === root;
  });
}

function withSecret(all: readonly ProcessInfo[]): ProcessInfo[] {
  return all.filter((p) => p.argv.join(' ').includes(secret));
}

/**
 * The processes of `seen` still running (zombies are dead, waiting for PID 1 to reap them). A
 * SIGKILLed process needs a moment of CPU to go on a loaded machine: wait up to 5 s for that.
 */
async function stillRunning(seen: ReadonlyMap<number, ProcessInfo>): Promise<ProcessInfo[]> {
  let left: ProcessInfo[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    const running = new Map((await listProcesses()).filter((p) => p.state !== 'Z').map((p) => [p.pid, p]));
    // Same pid and same command line: not a new process that got a recycled pid.
    left = [...seen.values()].filter((p) => running.get(p.pid)?.argv.join(' ') === p.argv.join(' '));
    if (left.length === 0) return [];
    await sleep(100);
  }
  return left;
}

/** The cache holds no mirror, finished or partial. */
async function mirrorsIn(cache: string): Promise<string[]> {
  const repos = join(cache, 'repos');
  const entries = await readdir(repos).catch(() => []);
  const partial = await readdir(join(repos, '.tmp')).catch(() => []);
  return [...entries.filter((name) => name !== '.tmp'), ...partial.map((name) => `.tmp/${name}`)];
}

describe('cloning with credentials', () => {
  it('Ctrl-C during a clone that never gets an answer: no secret in any command line, nothing left running or on disk', async () => {
    const server = await listen(() => {
      // Accept and never answer: the clone waits until it is interrupted.
    });
    const cache = join(dir, 'cache-interrupt');
    const sigstorm = execa('node', [cli, 'build', '--repo', `http://127.0.0.1:${server.port}/x.git`], {
      cwd: installRoot,
      env: { SIGSTORM_CACHE_DIR: cache, ...credentials },
      reject: false,
    });
    const seen = new Map<number, ProcessInfo>();
    const deadline = performance.now() + 100_000;
    let pollsConnected = 0;
    let connectedAt: number | undefined;
    // From the moment git runs until it has been connected a while, no command line anywhere may
    // show the secret.
    while (
      performance.now() < deadline &&
      (connectedAt === undefined || performance.now() - connectedAt < 1500 || pollsConnected < 5)
    ) {
      const all = await listProcesses();
      const ours = descendants(all, sigstorm.pid ?? -1);
      for (const p of ours) seen.set(p.pid, p);
      if (seen.size > 0) {
        if (connectedAt !== undefined) pollsConnected++;
        expect(withSecret(all)).toEqual([]);
      }
      if (connectedAt === undefined && server.connections() > 0) connectedAt = performance.now();
      await sleep(20);
    }
    expect(connectedAt, 'git never connected to the loopback server').toBeDefined();
    const helpers = [...seen.values()].filter(
      (p) => /git-remote-https?$/.test(p.argv[0] ?? '') || p.argv[0] === 'git',
    );
    expect(helpers.length, 'no git process was seen during the clone').toBeGreaterThan(0);
    // The URL git got has no user info at all.
    expect(
      [...seen.values()].some((p) => p.argv.some((a) => a === `http://127.0.0.1:${server.port}/x.git`)),
    ).toBe(true);

    sigstorm.kill('SIGINT');
    const result = await sigstorm;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr).not.toContain(secret);
    expect(await stillRunning(seen)).toEqual([]);
    expect(withSecret(await listProcesses())).toEqual([]);
    expect(await mirrorsIn(cache)).toEqual([]);
    expect(pollsConnected).toBeGreaterThanOrEqual(5);
  });

  it('a clone that takes longer than SIGSTORM_GIT_TIMEOUT is stopped: exit 1, nothing left running or on disk', async () => {
    const server = await listen(() => {});
    const cache = join(dir, 'cache-timeout');
    const sigstorm = execa('node', [cli, 'build', '--repo', `http://127.0.0.1:${server.port}/x.git`], {
      cwd: installRoot,
      env: { SIGSTORM_CACHE_DIR: cache, SIGSTORM_GIT_TIMEOUT: '3', ...credentials },
      reject: false,
      timeout: 110_000,
    });
    const seen = new Map<number, ProcessInfo>();
    while (sigstorm.exitCode === null && !sigstorm.killed) {
      const all = await listProcesses();
      for (const p of descendants(all, sigstorm.pid ?? -1)) seen.set(p.pid, p);
      await sleep(50);
    }
    const result = await sigstorm;
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      `Cloning http://127.0.0.1:${server.port}/x.git took longer than 3 s; stopped`,
    );
    expect(result.stderr).not.toContain(secret);
    expect(server.connections()).toBeGreaterThan(0);
    expect(await stillRunning(seen)).toEqual([]);
    expect(await mirrorsIn(cache)).toEqual([]);
  });

  it('git gets the credentials from the helper when the server asks for them', async () => {
    const authorizations: string[] = [];
    const server = await listen((request, respond) => {
      const authorization = request.headers.authorization;
      if (authorization === undefined) respond(401, { 'WWW-Authenticate': 'Basic realm="test"' });
      else {
        authorizations.push(authorization);
        respond(404);
      }
    });
    const cache = join(dir, 'cache-auth');
    const result = await execa('node', [cli, 'build', '--repo', `http://127.0.0.1:${server.port}/x.git`], {
      cwd: installRoot,
      env: { SIGSTORM_CACHE_DIR: cache, ...credentials },
      reject: false,
      timeout: 110_000,
    });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(`Could not clone http://127.0.0.1:${server.port}/x.git`);
    expect(result.stderr).not.toContain(secret);
    expect(authorizations).toContain(`Basic ${Buffer.from(`user:${secret}`).toString('base64')}`);
    expect(await mirrorsIn(cache)).toEqual([]);
  });
});
