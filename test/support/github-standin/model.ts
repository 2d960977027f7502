import type { AppAuth } from './auth.js';
import type { OpenApi } from './openapi.js';
import type { OperationHandler, StandInRequest, StandInResponse } from './standin.js';

/**
 * The GitHub state a test sets up and the app changes: repositories (config file, collaborators,
 * pull requests, tags, releases), check runs, comments and reactions. Responses are GitHub's own
 * examples from the OpenAPI description with this state's values in them.
 */

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface PullState {
  number: number;
  headSha: string;
  baseSha: string;
  headRef: string;
  baseRef: string;
  /** `owner/repo` the head branch lives in (a fork's name for fork PRs). */
  headRepo: string;
  author: string;
  /** Closed pull requests are not listed as open; open when absent. */
  state?: 'open' | 'closed';
  /** GitHub's updated_at (changes with every push); the example's when absent. */
  updatedAt?: string;
  /**
   * Its commits, oldest first, each the parent of the next and the first a child of `baseSha`
   * (pulls.get counts them, pulls.listCommits lists them); absent: one, the head.
   */
  commits?: readonly string[];
}

export interface RepoState {
  readonly owner: string;
  readonly name: string;
  /** Text of `.github/sigstorm.yml` on the default branch; undefined: no such file. */
  config: string | undefined;
  readonly collaborators: Map<string, Permission>;
  readonly pulls: Map<number, PullState>;
  /** `tags/NAME` or a branch → commit sha. */
  readonly refs: Map<string, string>;
  readonly releases: { tag: string; publishedAt: string; prerelease: boolean; draft: boolean }[];
}

export interface CheckRunState {
  readonly id: number;
  readonly repo: string;
  readonly name: string;
  readonly headSha: string;
  readonly externalId: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation sent, in order (GitHub adds each request's to the run's). */
  annotations: {
    path: string;
    start_line: number;
    end_line: number;
    annotation_level: string;
    title?: string;
    message: string;
  }[];
  actions: unknown[];
  startedAt: string;
  completedAt: string | null;
  /** Every state the check run went through, in order (create + each update). */
  readonly history: {
    status: string;
    conclusion: string | null;
    title: string | null;
    summary: string | null;
  }[];
}

export interface CommentState {
  readonly id: number;
  readonly repo: string;
  readonly issueNumber: number;
  body: string;
  readonly author: string;
  readonly authorType: 'User' | 'Bot';
  readonly createdAt: string;
  updatedAt: string;
}

export const appBotLogin = 'sigstorm-test[bot]';

export class GitHubModel {
  readonly repos = new Map<string, RepoState>();
  readonly installations = new Set<number>();
  readonly checkRuns = new Map<number, CheckRunState>();
  readonly comments = new Map<number, CommentState>();
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly #api: OpenApi;
  readonly #auth: AppAuth;
  #nextId = 1000;

  constructor(api: OpenApi, auth: AppAuth) {
    this.#api = api;
    this.#auth = auth;
  }

  addRepo(fullName: string): RepoState {
    const [owner = '', name = ''] = fullName.split('/');
    const repo: RepoState = {
      owner,
      name,
      config: undefined,
      collaborators: new Map(),
      pulls: new Map(),
      refs: new Map(),
      releases: [],
    };
    this.repos.set(fullName, repo);
    return repo;
  }

  /** A comment written by a person (a slash command), as GitHub would list it later. */
  addUserComment(repo: string, issueNumber: number, author: string, body: string): CommentState {
    const now = iso();
    const comment: CommentState = {
      id: this.#nextId++,
      repo,
      issueNumber,
      body,
      author,
      authorType: 'User',
      createdAt: now,
      updatedAt: now,
    };
    this.comments.set(comment.id, comment);
    return comment;
  }

  nextId(): number {
    return this.#nextId++;
  }

  checkRunsOf(repo: string, name?: string): CheckRunState[] {
    return [...this.checkRuns.values()].filter(
      (c) => c.repo === repo && (name === undefined || c.name === name),
    );
  }

  botComments(repo: string, issueNumber: number): CommentState[] {
    return [...this.comments.values()].filter(
      (c) => c.repo === repo && c.issueNumber === issueNumber && c.authorType === 'Bot',
    );
  }

  /** The handlers for every operation the app may call, by operationId. */
  handlers(): Record<string, OperationHandler> {
    return {
      'apps/create-installation-access-token': (req) => this.#token(req),
      'repos/get-content': (req) => this.#content(req),
      'checks/create': (req) => this.#createCheck(req),
      'checks/update': (req) => this.#updateCheck(req),
      'checks/list-for-ref': (req) => this.#listChecks(req),
      'issues/list-comments': (req) => this.#listComments(req),
      'issues/create-comment': (req) => this.#createComment(req),
      'issues/update-comment': (req) => this.#updateComment(req),
      'reactions/create-for-issue-comment': (req) => this.#react(req),
      'repos/get-collaborator-permission-level': (req) => this.#permission(req),
      'pulls/get': (req) => this.#pull(req),
      'pulls/list': (req) => this.#listPulls(req),
      'pulls/list-commits': (req) => this.#pullCommits(req),
      'repos/list-releases': (req) => this.#releases(req),
      'repos/get-commit': (req) => this.#commit(req),
    };
  }

  #repo(req: StandInRequest): RepoState | undefined {
    return this.repos.get(`${req.params.owner}/${req.params.repo}`);
  }

  #token(req: StandInRequest): StandInResponse {
    const id = Number(req.params.installation_id);
    if (!this.installations.has(id)) return notFound();
    const { token, expiresAt } = this.#auth.issueToken(id);
    return { status: 201, body: { ...this.#tokenBody(), token, expires_at: expiresAt } };
  }

  #tokenBody() {
    const body = this.#api.example('installation-token');
    body.permissions = {
      actions: 'write',
      checks: 'write',
      contents: 'read',
      issues: 'write',
      metadata: 'read',
      pull_requests: 'write',
    };
    body.repository_selection = 'all';
    delete body.repositories;
    return body;
  }

  #content(req: StandInRequest): StandInResponse {
    const repo = this.#repo(req);
    if (!repo || req.params.path !== '.github/sigstorm.yml' || repo.config === undefined) return notFound();
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('raw'))
      return { status: 415, body: { message: 'the stand-in serves files raw only' } };
    return { status: 200, text: repo.config, contentType: 'application/vnd.github.raw; charset=utf-8' };
  }

  #createCheck(req: StandInRequest): StandInResponse {
    const body = req.body as Record<string, unknown>;
    const tooMany = tooManyAnnotations(body);
    if (tooMany) return tooMany;
    const output = (body.output ?? {}) as Record<string, string | undefined>;
    const status = typeof body.conclusion === 'string' ? 'completed' : String(body.status ?? 'queued');
    const check: CheckRunState = {
      id: this.#nextId++,
      repo: `${req.params.owner}/${req.params.repo}`,
      name: String(body.name),
      headSha: String(body.head_sha),
      externalId: String(body.external_id ?? ''),
      status,
      conclusion: typeof body.conclusion === 'string' ? body.conclusion : null,
      output: { title: output.title ?? null, summary: output.summary ?? null, text: output.text ?? null },
      annotations: [],
      actions: Array.isArray(body.actions) ? body.actions : [],
      startedAt: String(body.started_at ?? iso()),
      completedAt: typeof body.completed_at === 'string' ? body.completed_at : null,
      history: [],
    };
    check.history.push(snapshot(check));
    this.checkRuns.set(check.id, check);
    return { status: 201, body: this.#checkBody(check) };
  }

  #updateCheck(req: StandInRequest): StandInResponse {
    const check = this.checkRuns.get(Number(req.params.check_run_id));
    if (!check || check.repo !== `${req.params.owner}/${req.params.repo}`) return notFound();
    const body = req.body as Record<string, unknown>;
    const tooMany = tooManyAnnotations(body);
    if (tooMany) return tooMany;
    if (typeof body.conclusion === 'string') {
      check.status = 'completed';
      check.conclusion = body.conclusion;
    } else if (typeof body.status === 'string') {
      check.status = body.status;
      check.conclusion = null;
    }
    if (typeof body.started_at === 'string') check.startedAt = body.started_at;
    if (typeof body.completed_at === 'string') check.completedAt = body.completed_at;
    const output = body.output as Record<string, string | undefined> | undefined;
    if (output)
      check.output = {
        title: output.title ?? null,
        summary: output.summary ?? null,
        text: output.text ?? null,
      };
    if (Array.isArray(body.actions)) check.actions = body.actions;
    const annotations = (body.output as { annotations?: unknown } | undefined)?.annotations;
    if (Array.isArray(annotations)) check.annotations.push(...(annotations as CheckRunState['annotations']));
    check.history.push(snapshot(check));
    return { status: 200, body: this.#checkBody(check) };
  }

  #listChecks(req: StandInRequest): StandInResponse {
    const repo = `${req.params.owner}/${req.params.repo}`;
    const name = req.query.get('check_name');
    const runs = [...this.checkRuns.values()].filter(
      (c) => c.repo === repo && c.headSha === req.params.ref && (name === null || c.name === name),
    );
    // One page is enough here: a test makes a handful of check runs per commit.
    return {
      status: 200,
      body: { total_count: runs.length, check_runs: runs.map((c) => this.#checkBody(c)) },
    };
  }

  #checkBody(check: CheckRunState) {
    const body = this.#api.example('check-run');
    const base = `https://${check.repo}`;
    return {
      ...body,
      id: check.id,
      node_id: `CR_${check.id}`,
      head_sha: check.headSha,
      name: check.name,
      external_id: check.externalId,
      url: `${base}/check-runs/${check.id}`,
      html_url: `${base}/runs/${check.id}`,
      details_url: `${base}/runs/${check.id}`,
      status: check.status,
      conclusion: check.conclusion,
      started_at: check.startedAt,
      completed_at: check.completedAt,
      output: {
        ...check.output,
        annotations_count: check.annotations.length,
        annotations_url: `${base}/check-runs/${check.id}/annotations`,
      },
      pull_requests: [],
    };
  }

  #commentBody(comment: CommentState) {
    const body = this.#api.example('issue-comment');
    const user = body.user as Record<string, unknown>;
    return {
      ...body,
      id: comment.id,
      node_id: `IC_${comment.id}`,
      body: comment.body,
      html_url: `https://${comment.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `https://${comment.repo}/issues/${comment.issueNumber}`,
      user: { ...user, login: comment.author, type: comment.authorType },
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
    };
  }

  #listComments(req: StandInRequest): StandInResponse {
    const repo = `${req.params.owner}/${req.params.repo}`;
    const issue = Number(req.params.issue_number);
    const all = [...this.comments.values()].filter((c) => c.repo === repo && c.issueNumber === issue);
    const perPage = Number(req.query.get('per_page') ?? 30);
    const page = Number(req.query.get('page') ?? 1);
    const items = all.slice((page - 1) * perPage, page * perPage).map((c) => this.#commentBody(c));
    return { status: 200, body: items, headers: linkHeader(req, page, perPage, all.length) };
  }

  #createComment(req: StandInRequest): StandInResponse {
    const now = iso();
    const comment: CommentState = {
      id: this.#nextId++,
      repo: `${req.params.owner}/${req.params.repo}`,
      issueNumber: Number(req.params.issue_number),
      body: String((req.body as { body: unknown }).body),
      author: appBotLogin,
      authorType: 'Bot',
      createdAt: now,
      updatedAt: now,
    };
    this.comments.set(comment.id, comment);
    return { status: 201, body: this.#commentBody(comment) };
  }

  #updateComment(req: StandInRequest): StandInResponse {
    const comment = this.comments.get(Number(req.params.comment_id));
    if (!comment) return notFound();
    // GitHub lets an App edit only its own comments.
    if (comment.author !== appBotLogin)
      return { status: 403, body: { message: 'Resource not accessible by integration' } };
    comment.body = String((req.body as { body: unknown }).body);
    comment.updatedAt = iso();
    return { status: 200, body: this.#commentBody(comment) };
  }

  #react(req: StandInRequest): StandInResponse {
    const commentId = Number(req.params.comment_id);
    if (!this.comments.has(commentId)) return notFound();
    const content = String((req.body as { content: unknown }).content);
    this.reactions.push({ commentId, content });
    const body = this.#api.example('reaction');
    return {
      status: 201,
      body: {
        ...body,
        id: this.#nextId++,
        content,
        user: { ...(body.user as object), login: appBotLogin, type: 'Bot' },
      },
    };
  }

  #permission(req: StandInRequest): StandInResponse {
    const repo = this.#repo(req);
    if (!repo) return notFound();
    const login = req.params.username ?? '';
    const role = repo.collaborators.get(login) ?? 'read';
    // The API folds maintain into write and triage into read; role_name keeps the role.
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    const body = this.#api.example(
      'repository-collaborator-permission-response-if-user-has-admin-permissions',
    );
    return {
      status: 200,
      body: {
        ...body,
        permission,
        role_name: role,
        user: { ...(body.user as object), login, role_name: role },
      },
    };
  }

  #listPulls(req: StandInRequest): StandInResponse {
    const repo = this.#repo(req);
    if (!repo) return notFound();
    const [example] = this.#api.example('pull-request-simple-items') as unknown as Record<string, unknown>[];
    const open = [...repo.pulls.values()].filter((p) => p.state !== 'closed');
    return { status: 200, body: open.map((pull) => this.#pullBody(repo, pull, example ?? {})) };
  }

  #pull(req: StandInRequest): StandInResponse {
    const repo = this.#repo(req);
    const pull = repo?.pulls.get(Number(req.params.pull_number));
    if (!repo || !pull) return notFound();
    return { status: 200, body: this.#pullBody(repo, pull, this.#api.example('pull-request')) };
  }

  #pullCommits(req: StandInRequest): StandInResponse {
    const repo = this.#repo(req);
    const pull = repo?.pulls.get(Number(req.params.pull_number));
    if (!repo || !pull) return notFound();
    const [example] = this.#api.example('commit-items') as unknown as Record<string, unknown>[];
    const commits = pull.commits ?? [pull.headSha];
    // One page: the stand-in's pull requests have fewer commits than a page holds.
    return {
      status: 200,
      body: commits.map((sha, i) => {
        const parent = i === 0 ? pull.baseSha : (commits[i - 1] ?? pull.baseSha);
        const url = `https://github.invalid/api/repos/${repo.owner}/${repo.name}/commits`;
        return {
          ...example,
          sha,
          node_id: `C_${sha}`,
          url: `${url}/${sha}`,
          parents: [
            {
              sha: parent,
              url: `${url}/${parent}`,
              html_url: `https://github.invalid/${repo.owner}/${repo.name}/commit/${parent}`,
            },
          ],
        };
      }),
    };
  }

  #pullBody(repo: RepoState, pull: PullState, body: Record<string, unknown>) {
    const head = body.head as Record<string, unknown>;
    const base = body.base as Record<string, unknown>;
    const fullName = `${repo.owner}/${repo.name}`;
    const repoBody = (name: string, from: Record<string, unknown>) => ({
      ...(from.repo as object),
      name: name.split('/')[1],
      full_name: name,
      clone_url: `https://${name}.git`,
      owner: { ...((from.repo as Record<string, unknown>).owner as object), login: name.split('/')[0] },
    });
    return {
      ...body,
      number: pull.number,
      state: pull.state ?? 'open',
      commits: (pull.commits ?? [pull.headSha]).length,
      ...(pull.updatedAt ? { updated_at: pull.updatedAt } : {}),
      // The description's own example lists a team without the (required) type: no reviewers here.
      requested_teams: [],
      requested_reviewers: [],
      user: { ...(body.user as object), login: pull.author },
      head: {
        ...head,
        sha: pull.headSha,
        ref: pull.headRef,
        label: `${pull.headRepo.split('/')[0]}:${pull.headRef}`,
        repo: repoBody(pull.headRepo, head),
      },
      base: {
        ...base,
        sha: pull.baseSha,
        ref: pull.baseRef,
        label: `${repo.owner}:${pull.baseRef}`,
        repo: repoBody(fullName, base),
      },
    };
  }

  #releases(req: StandInRequest): StandInResponse {
    const repo = this.#repo(req);
    if (!repo) return notFound();
    const [example] = this.#api.example('release-items') as unknown as Record<string, unknown>[];
    const items = [...repo.releases]
      .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))
      .map((r, i) => ({
        ...example,
        id: i + 1,
        tag_name: r.tag,
        name: r.tag,
        draft: r.draft,
        prerelease: r.prerelease,
        created_at: r.publishedAt,
        published_at: r.draft ? null : r.publishedAt,
      }));
    return { status: 200, body: items };
  }

  #commit(req: StandInRequest): StandInResponse {
    const repo = this.#repo(req);
    const sha = repo?.refs.get(req.params.ref ?? '');
    if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${req.params.ref}` } };
    const body = this.#api.example('commit');
    // The description's example lists files without their (required) sha: no files here.
    return { status: 200, body: { ...body, sha, node_id: `C_${sha}`, files: [] } };
  }
}

function snapshot(check: CheckRunState) {
  return {
    status: check.status,
    conclusion: check.conclusion,
    title: check.output.title,
    summary: check.output.summary,
  };
}

function notFound(): StandInResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
}

function linkHeader(
  req: StandInRequest,
  page: number,
  perPage: number,
  total: number,
): Record<string, string> {
  const last = Math.max(1, Math.ceil(total / perPage));
  if (page >= last) return {};
  const url = new URL(
    `${req.apiUrl}/repos/${req.params.owner}/${req.params.repo}/issues/${req.params.issue_number}/comments`,
  );
  url.searchParams.set('per_page', String(perPage));
  url.searchParams.set('page', String(page + 1));
  return { link: `<${url.toString()}>; rel="next"` };
}

function iso(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** GitHub answers 422 to a check-run request with more than 50 annotations. */
function tooManyAnnotations(body: Record<string, unknown>): StandInResponse | undefined {
  const annotations = (body.output as { annotations?: unknown } | undefined)?.annotations;
  if (Array.isArray(annotations) && annotations.length > 50)
    return { status: 422, body: { message: 'Only 50 annotations are allowed per request' } };
  return undefined;
}
