import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppAuth } from './auth.js';
import { type ActiveFault, type Fault, FaultPlan, type FaultRule, faultAnswer } from './faults.js';
import { type MatchedOperation, type OpenApi, sharedOpenApi } from './openapi.js';

/**
 * A local stand-in for GitHub's REST API: a real HTTP server on a free loopback port. Every request
 * is checked against GitHub's OpenAPI description (the operation exists; path, query and body are
 * valid), against GitHub's authentication (App JWT, installation tokens) and against what the test
 * expects. Anything else is a problem: answered with an error and kept in `problems`, which the
 * test asserts empty. Every call is recorded for the test's assertions.
 */

export interface StandInRequest {
  readonly operationId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  /** The installation of the token used (undefined for App-JWT requests). */
  readonly installationId: number | undefined;
  /** The API root as the client reached it (for Link headers). */
  readonly apiUrl: string;
}

export interface StandInResponse {
  readonly status: number;
  readonly body?: unknown;
  /** A non-JSON body (raw file contents), sent with `contentType`. */
  readonly text?: string;
  /** A binary body (an artifact's zip from storage), sent with `contentType`. */
  readonly bytes?: Buffer;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type OperationHandler = (request: StandInRequest) => StandInResponse;

export interface RecordedCall {
  readonly seq: number;
  readonly at: number;
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** 0 when the connection was reset instead of answered. */
  readonly status: number;
  readonly response: unknown;
  /** The injected fault this request got instead of (or after) its answer. */
  readonly fault?: Fault;
}

export interface StandInOptions {
  /** Checks App JWTs and installation tokens (and issues the tokens). */
  readonly auth: AppAuth;
  /** How to answer each operation GitHub has (by operationId); a test still has to expect it. */
  readonly handlers: Readonly<Record<string, OperationHandler>>;
  /** GitHub Enterprise Server serves the API under /api/v3 (what Probot uses with GHE_HOST). */
  readonly prefix?: string;
  /**
   * Paths outside the REST API (the Actions runner protocol, artifact storage), tried first: not in
   * the OpenAPI description, so not checked against it. Undefined: not one of these paths.
   */
  readonly routes?: (method: string, path: string, body: Buffer) => StandInResponse | undefined;
}

export class GitHubStandIn {
  readonly calls: RecordedCall[] = [];
  readonly problems: string[] = [];
  readonly auth: AppAuth;
  readonly #server: Server;
  readonly #api: OpenApi;
  readonly #options: StandInOptions;
  readonly #expected = new Set<string>();
  readonly #faults = new FaultPlan();
  #seq = 0;

  private constructor(server: Server, api: OpenApi, options: StandInOptions) {
    this.#server = server;
    this.#api = api;
    this.#options = options;
    this.auth = options.auth;
  }

  static async start(options: StandInOptions): Promise<GitHubStandIn> {
    const server = createServer();
    const standin = new GitHubStandIn(server, sharedOpenApi(), options);
    server.on('request', (req, res) => {
      standin.#handle(req, res).catch((error: unknown) => {
        standin.problems.push(`stand-in crashed on ${req.method} ${req.url}: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  /** `127.0.0.1:<port>`: the app's GHE_HOST. */
  get host(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Allows these operations (by operationId) from now on; anything else is a problem. */
  expect(...operationIds: string[]): void {
    for (const id of operationIds) {
      if (!this.#options.handlers[id]) throw new Error(`the stand-in has no handler for ${id}`);
      this.#expected.add(id);
    }
  }

  /** Forbids operations again (e.g. after a phase where they were allowed). */
  unexpect(...operationIds: string[]): void {
    for (const id of operationIds) this.#expected.delete(id);
  }

  /** Calls of an operation that GitHub answered (injected faults left out). */
  callsOf(operationId: string): RecordedCall[] {
    return this.calls.filter((call) => call.operationId === operationId && call.fault === undefined);
  }

  /** Injects a fault (5xx, 429 with Retry-After, connection reset) per operation or every Nth request. */
  inject(rule: FaultRule): ActiveFault {
    return this.#faults.add(rule);
  }

  /** Removes every fault rule: GitHub is healthy again. */
  heal(): void {
    this.#faults.clear();
  }

  /** Calls answered with an injected fault. */
  get faulted(): RecordedCall[] {
    return this.calls.filter((call) => call.fault !== undefined);
  }

  /** Polls the recorded calls until `predicate` holds; fails with `what` and the problems so far. */
  async waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (this.problems.length > 0) break;
      await sleep(50);
    }
    const ops = this.calls.map((c) => `${c.operationId}:${c.status}`).join(', ');
    throw new Error(
      `timed out waiting for ${what}; problems: ${JSON.stringify(this.problems)}; calls so far: ${ops || 'none'}`,
    );
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const routed = this.#options.routes?.(method, url.pathname, bytes);
    if (routed) {
      send(res, routed);
      return;
    }
    const prefix = this.#options.prefix ?? '';
    if (!url.pathname.startsWith(`${prefix}/`)) {
      return this.#refuse(res, 404, `${method} ${url.pathname}: not under the API prefix ${prefix || '/'}`);
    }
    const path = url.pathname.slice(prefix.length);
    const op = this.#api.match(method, path);
    if (!op)
      return this.#refuse(res, 404, `${method} ${path}: GitHub's OpenAPI description has no such operation`);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.#refuse(res, 400, `${op.operationId}: the body is not JSON`);
      }
    }
    const checked = this.#api.checkRequest(op, url.searchParams, body, raw.length > 0);
    if (!checked.ok) {
      return this.#refuse(
        res,
        422,
        `${op.operationId} ${method} ${path}: invalid request: ${checked.problems.join('; ')}`,
      );
    }
    const auth = this.#authenticate(op, req.headers.authorization);
    if (typeof auth === 'string') return this.#refuse(res, 401, `${op.operationId}: ${auth}`);
    if (!this.#expected.has(op.operationId)) {
      return this.#refuse(
        res,
        422,
        `unexpected request ${op.operationId} (${method} ${path}): no test expected it`,
      );
    }
    const handler = this.#options.handlers[op.operationId];
    if (!handler) return this.#refuse(res, 501, `no handler for ${op.operationId}`);
    const record = (status: number, response: unknown, fault?: Fault) =>
      this.calls.push({
        seq: ++this.#seq,
        at: Date.now(),
        operationId: op.operationId,
        method,
        path,
        params: op.pathParams,
        query: Object.fromEntries(url.searchParams),
        body,
        status,
        response,
        ...(fault ? { fault } : {}),
      });
    const fault = this.#faults.pick(op.operationId);
    if (fault?.kind === 'status' || fault?.kind === 'rate-limit') {
      const answer = faultAnswer(fault);
      record(answer.status, answer.body, fault);
      res
        .writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify(answer.body));
      return;
    }
    if (fault?.kind === 'reset' && fault.when === 'before') {
      record(0, undefined, fault);
      req.socket.resetAndDestroy();
      return;
    }
    const response = handler({
      operationId: op.operationId,
      params: op.pathParams,
      query: url.searchParams,
      body,
      headers: req.headers,
      installationId: auth.installationId,
      apiUrl: `http://${req.headers.host ?? this.host}${prefix}`,
    });
    this.#checkResponse(op, response);
    if (fault?.kind === 'reset') {
      // The request took effect; the answer never arrives.
      record(0, response.body ?? response.text, fault);
      req.socket.resetAndDestroy();
      return;
    }
    record(response.status, response.body ?? response.text);
    send(res, response);
  }

  #authenticate(
    op: MatchedOperation,
    authorization: string | undefined,
  ): { installationId?: number } | string {
    if (op.template.startsWith('/app/')) {
      return this.auth.checkJwt(authorization) ?? {};
    }
    const token = this.auth.checkToken(authorization);
    return 'problem' in token ? token.problem : token;
  }

  #checkResponse(op: MatchedOperation, response: StandInResponse): void {
    if (response.text !== undefined || response.status >= 400) return;
    const checked = this.#api.checkResponse(op, response.status, response.body);
    if (!checked.ok) {
      this.problems.push(
        `stand-in bug: its ${op.operationId} response is not GitHub's shape: ${checked.problems.join('; ')}`,
      );
    }
  }

  #refuse(res: ServerResponse, status: number, problem: string): void {
    this.problems.push(problem);
    // 4xx (not 5xx): Octokit retries server errors, which would only repeat the problem.
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        message: `sigstorm GitHub stand-in: ${problem}`,
        documentation_url: 'https://docs.github.com/rest',
      }),
    );
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: StandInResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  if (response.bytes !== undefined) {
    headers['content-type'] = response.contentType ?? 'application/octet-stream';
    res.writeHead(response.status, headers).end(response.bytes);
  } else if (response.text !== undefined) {
    headers['content-type'] = response.contentType ?? 'text/plain; charset=utf-8';
    res.writeHead(response.status, headers).end(response.text);
  } else if (response.body === undefined) {
    res.writeHead(response.status, headers).end();
  } else {
    headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(response.status, headers).end(JSON.stringify(response.body));
  }
}
