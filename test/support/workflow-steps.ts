// Runs a workflow's own steps the way a GitHub Actions runner does: `${{ }}` expressions evaluated
// against a context (inputs, github, matrix, runner, needs, steps), the step's `env:` set, its
// `run:` script written to a file and run with `bash --noprofile --norc -eo pipefail`, and what it
// writes to $GITHUB_OUTPUT read back. Tests and the stand-in runner read the steps from the YAML, so
// a change to the workflow is a change to what is tested.

import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { installRoot } from '../../src/util/paths.js';

export interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string | boolean;
  readonly env?: Record<string, string | number | boolean>;
  readonly with?: Record<string, string | number | boolean>;
}
export interface WorkflowJob {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly 'runs-on'?: string;
  readonly uses?: string;
  readonly with?: Record<string, string | number | boolean>;
  readonly strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  readonly outputs?: Record<string, string>;
  readonly steps: WorkflowStep[];
}
export interface Workflow {
  readonly name?: string;
  readonly 'run-name'?: string;
  readonly concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  readonly on: {
    workflow_call?: {
      inputs: Record<string, { type: string; default?: unknown }>;
      outputs: Record<string, { value: string }>;
    };
    workflow_dispatch?: { inputs: Record<string, { type?: string; default?: unknown; required?: boolean }> };
  };
  readonly jobs: Record<string, WorkflowJob>;
}

/** The reusable workflow users call, and the caller the App dispatches (docs/examples/). */
export const reusablePath = join(installRoot, '.github', 'workflows', 'validate.yml');
export const callerPath = join(installRoot, 'docs', 'examples', 'sigstorm-shards.yml');

export function readWorkflow(path: string): Workflow {
  return parse(readFileSync(path, 'utf8')) as Workflow;
}

export function jobOf(workflow: Workflow, name: string): WorkflowJob {
  const found = workflow.jobs[name];
  if (!found) throw new Error(`the workflow has no job ${name}`);
  return found;
}

export function stepOf(job: WorkflowJob, name: string): WorkflowStep {
  const found = job.steps.find((s) => s.name === name);
  if (!found) throw new Error(`the job has no step named ${name}`);
  return found;
}

export type Context = Record<string, unknown>;

/**
 * The inputs the reusable workflow sees when the caller (with `inputs` of its own event) calls it:
 * the caller job's `with:` evaluated, then the reusable workflow's defaults for the rest.
 */
export function calledInputs(
  caller: Workflow,
  callerInputs: Record<string, unknown>,
): Record<string, unknown> {
  const reusable = readWorkflow(reusablePath);
  const declared = reusable.on.workflow_call?.inputs ?? {};
  const callerJob = Object.values(caller.jobs).find((j) => j.uses?.includes('/validate.yml@'));
  if (!callerJob) throw new Error('the caller has no job that uses validate.yml');
  // The caller's own inputs with its defaults, as GitHub fills them in a dispatch.
  const dispatched = {
    ...Object.fromEntries(
      Object.entries(caller.on.workflow_dispatch?.inputs ?? {}).map(([k, v]) => [k, v.default ?? '']),
    ),
    ...callerInputs,
  };
  const given = Object.fromEntries(
    Object.entries(callerJob.with ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' ? interpolate(v, { inputs: dispatched }) : v,
    ]),
  );
  for (const name of Object.keys(given)) {
    if (!(name in declared))
      throw new Error(`the caller passes ${name}, which validate.yml does not declare`);
  }
  return Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => [
      name,
      name in given ? given[name] : (spec.default ?? ''),
    ]),
  );
}

/** `text` with every `${{ expr }}` evaluated; a text that is one expression keeps its value's type. */
export function interpolate(text: string, context: Context): unknown {
  const whole = /^\$\{\{([\s\S]*?)\}\}$/.exec(text.trim());
  if (whole && !whole[1]?.includes('}}')) return evaluate(whole[1] ?? '', context);
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, inner: string) => show(evaluate(inner, context)));
}

/** A value as Actions turns it into a string (env values, interpolation). */
export function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function truthy(value: unknown): boolean {
  return !(
    value === false ||
    value === 0 ||
    value === '' ||
    value === null ||
    value === undefined ||
    Number.isNaN(value)
  );
}

/** Whether a step (or job) `if:` holds; without a status function it means `success() && (…)`. */
export function condition(text: string | boolean | undefined, context: Context, failed: boolean): boolean {
  if (text === undefined) return !failed;
  const expr = typeof text === 'boolean' ? String(text) : text.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1');
  const statusFunction = /\b(always|success|failure|cancelled)\(\)/.test(expr);
  const value = truthy(evaluate(expr, { ...context, __failed: failed }));
  return statusFunction ? value : value && !failed;
}

type Token = { kind: 'op' | 'str' | 'num' | 'id' | 'prop'; text: string };

function tokens(source: string): Token[] {
  const out: Token[] = [];
  const re =
    /\s*(?:(\|\||&&|==|!=|<=|>=|[()!,<>])|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w.-]*)|\.([A-Za-z_][\w-]*))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) throw new Error(`cannot read the expression at "${source.slice(at)}"`);
    at = re.lastIndex;
    if (m[1]) out.push({ kind: 'op', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'str', text: m[2].replace(/''/g, "'") });
    else if (m[3]) out.push({ kind: 'num', text: m[3] });
    else if (m[4]) out.push({ kind: 'id', text: m[4] });
    else if (m[5]) out.push({ kind: 'prop', text: m[5] });
  }
  return out;
}

const functions: Record<string, (context: Context, ...args: unknown[]) => unknown> = {
  startsWith: (_, a, b) => show(a).toLowerCase().startsWith(show(b).toLowerCase()),
  endsWith: (_, a, b) => show(a).toLowerCase().endsWith(show(b).toLowerCase()),
  contains: (_, a, b) =>
    Array.isArray(a)
      ? a.some((x) => show(x) === show(b))
      : show(a).toLowerCase().includes(show(b).toLowerCase()),
  fromJSON: (_, a) => JSON.parse(show(a)),
  toJSON: (_, a) => JSON.stringify(a, null, 2),
  format: (_, f, ...args) => show(f).replace(/\{(\d+)\}/g, (_m, i: string) => show(args[Number(i)])),
  always: () => true,
  success: (context) => context.__failed !== true,
  failure: (context) => context.__failed === true,
  cancelled: () => false,
};

/**
 * Evaluates one Actions expression (literals, context paths, properties of a call's value, !, ==,
 * !=, && and || short-circuiting as GitHub's do, the usual functions).
 */
export function evaluate(source: string, context: Context): unknown {
  type Thunk = () => unknown;
  const list = tokens(source);
  let i = 0;
  const peek = () => list[i];
  const take = (text?: string): Token => {
    const t = list[i++];
    if (!t || (text !== undefined && t.text !== text))
      throw new Error(`expected ${text ?? 'more'} in "${source}"`);
    return t;
  };
  const get = (value: unknown, key: string): unknown =>
    value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  const or = (): Thunk => {
    let left = and();
    while (peek()?.text === '||') {
      take();
      const [l, r] = [left, and()];
      left = () => {
        const value = l();
        return truthy(value) ? value : r();
      };
    }
    return left;
  };
  const and = (): Thunk => {
    let left = equality();
    while (peek()?.text === '&&') {
      take();
      const [l, r] = [left, equality()];
      left = () => {
        const value = l();
        return truthy(value) ? r() : value;
      };
    }
    return left;
  };
  const equality = (): Thunk => {
    let left = unary();
    while (peek()?.text === '==' || peek()?.text === '!=') {
      const op = take().text;
      const [l, r] = [left, unary()];
      left = () => {
        const [a, b] = [l(), r()];
        const same =
          typeof a === typeof b
            ? typeof a === 'string'
              ? a.toLowerCase() === (b as string).toLowerCase()
              : a === b
            : show(a) === show(b);
        return op === '==' ? same : !same;
      };
    }
    return left;
  };
  const unary = (): Thunk => {
    if (peek()?.text === '!') {
      take();
      const inner = unary();
      return () => !truthy(inner());
    }
    return primary();
  };
  // A property of what a call or parentheses gave: fromJSON(inputs.options).profile.
  const primary = (): Thunk => {
    let value = atom();
    while (peek()?.kind === 'prop') {
      const [inner, key] = [value, take().text];
      value = () => get(inner(), key) ?? null;
    }
    return value;
  };
  const atom = (): Thunk => {
    const t = take();
    if (t.kind === 'str') return () => t.text;
    if (t.kind === 'num') return () => Number(t.text);
    if (t.text === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (t.kind !== 'id') throw new Error(`unexpected ${t.text} in "${source}"`);
    if (t.text === 'true') return () => true;
    if (t.text === 'false') return () => false;
    if (t.text === 'null') return () => null;
    if (peek()?.text === '(') {
      take('(');
      const args: Thunk[] = [];
      while (peek()?.text !== ')') {
        args.push(or());
        if (peek()?.text === ',') take(',');
      }
      take(')');
      const fn = functions[t.text];
      if (!fn) throw new Error(`unknown function ${t.text} in "${source}"`);
      return () => fn(context, ...args.map((a) => a()));
    }
    return () => {
      let value: unknown = context;
      for (const part of t.text.split('.')) value = get(value, part);
      return value ?? null;
    };
  };
  const value = or();
  if (i !== list.length) throw new Error(`unexpected ${list[i]?.text} in "${source}"`);
  return value();
}

export interface StepResult {
  readonly exitCode: number;
  readonly output: string;
  readonly outputs: Record<string, string>;
}

/**
 * Runs a `run:` step as the runner does: its env evaluated (over `baseEnv`), the script from a file
 * with bash -eo pipefail, in `workspace`; GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP and the
 * runner's other variables set.
 */
export async function runStep(
  step: WorkflowStep,
  context: Context,
  where: {
    readonly workspace: string;
    readonly temp: string;
    readonly baseEnv?: Record<string, string | undefined>;
    /** Cancels the step: its whole process group is sent SIGTERM. */
    readonly signal?: AbortSignal;
  },
): Promise<StepResult> {
  if (step.run === undefined) throw new Error(`step ${step.name ?? step.uses} has no run: script`);
  const dir = await mkdtemp(join(tmpdir(), 'sigstorm-step-'));
  try {
    const script = join(dir, 'step.sh');
    const outputFile = join(dir, 'output');
    await writeFile(script, show(interpolate(step.run, context)));
    await writeFile(outputFile, '');
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...where.baseEnv,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: where.workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      RUNNER_TEMP: where.temp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
    };
    for (const [name, value] of Object.entries(step.env ?? {}))
      env[name] = show(interpolate(String(value), context));
    // Its own process group, stopped whole when the job is cancelled (as a runner stops a step).
    const child = execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: where.workspace,
      env,
      extendEnv: false,
      reject: false,
      all: true,
      detached: true,
    });
    const stop = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // The group has already ended.
        }
      }
    };
    where.signal?.addEventListener('abort', stop, { once: true });
    const result = await child;
    where.signal?.removeEventListener('abort', stop);
    return {
      exitCode: result.exitCode ?? 1,
      output: result.all ?? '',
      outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** $GITHUB_OUTPUT's `name=value` lines and `name<<DELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) body.push(lines[i] ?? '');
      outputs[heredoc[1] ?? ''] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}
