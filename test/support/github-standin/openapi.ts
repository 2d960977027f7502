import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * GitHub's official OpenAPI description (api.github.com, from @octokit/openapi), indexed for the
 * stand-in: find the operation of a request, validate its parameters and body, and validate the
 * stand-in's own responses (so they are shaped like GitHub's).
 */

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: object;
}

interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly (Parameter | { $ref: string })[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content: Record<string, { schema?: object }>;
  };
  readonly responses: Record<
    string,
    {
      content?: Record<
        string,
        { schema?: object; examples?: Record<string, { $ref?: string; value?: unknown }> }
      >;
    }
  >;
}

interface Description {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: {
    readonly parameters: Record<string, Parameter>;
    readonly examples: Record<string, { value: unknown }>;
  };
}

export interface MatchedOperation {
  readonly operationId: string;
  readonly method: string;
  readonly template: string;
  readonly pathParams: Record<string, string>;
}

export type Check = { readonly ok: true } | { readonly ok: false; readonly problems: readonly string[] };

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Route {
  readonly template: string;
  readonly regex: RegExp;
  readonly names: readonly string[];
  /** Literal characters: more means more specific (issues/comments/{id} before issues/{number}). */
  readonly literal: number;
}

export class OpenApi {
  readonly #doc: Description;
  readonly #routes: Route[];
  readonly #ajv: Ajv;
  readonly #coercing: Ajv;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor() {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    this.#doc = JSON.parse(readFileSync(file, 'utf8')) as Description;
    allowNullInNullableEnums(this.#doc.components);
    this.#routes = Object.keys(this.#doc.paths)
      .map((template) => route(template))
      .sort((a, b) => b.literal - a.literal);
    this.#ajv = makeAjv(false, this.#doc);
    this.#coercing = makeAjv(true, this.#doc);
  }

  /** The operation for a method and path (without query), or undefined when GitHub has none. */
  match(method: string, path: string): MatchedOperation | undefined {
    const lower = method.toLowerCase();
    for (const r of this.#routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      const op = this.#doc.paths[r.template]?.[lower];
      if (!op) continue;
      const pathParams: Record<string, string> = {};
      r.names.forEach((name, i) => {
        pathParams[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { operationId: op.operationId, method: lower, template: r.template, pathParams };
    }
    return undefined;
  }

  /** Path and query parameters and the JSON body against the operation's description. */
  checkRequest(op: MatchedOperation, query: URLSearchParams, body: unknown, hasBody: boolean): Check {
    const operation = this.#operation(op);
    const problems: string[] = [];
    const params = (operation.parameters ?? []).map((p) => this.#parameter(p));
    for (const p of params.filter((x) => x.in === 'path')) {
      problems.push(...this.#checkValue(`${op.template}#path.${p.name}`, p, op.pathParams[p.name]));
    }
    const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of query.keys()) {
      if (!known.has(name)) problems.push(`query parameter "${name}" is not described for ${op.operationId}`);
    }
    for (const p of params.filter((x) => x.in === 'query')) {
      const value = query.get(p.name) ?? undefined;
      if (value === undefined) {
        if (p.required) problems.push(`required query parameter "${p.name}" is missing`);
        continue;
      }
      problems.push(...this.#checkValue(`${op.template}#query.${p.name}`, p, value));
    }
    const content = operation.requestBody?.content['application/json'];
    if (!hasBody) {
      if (operation.requestBody?.required) problems.push('the request body is required');
    } else if (!content?.schema) {
      problems.push(`${op.operationId} takes no JSON body`);
    } else {
      const validate = this.#validator(this.#ajv, `${op.method} ${op.template} body`, content.schema);
      if (!validate(body)) problems.push(...describe('body', validate.errors));
    }
    return problems.length ? { ok: false, problems } : { ok: true };
  }

  /** The stand-in's response against the description: a stand-in bug must not pass for GitHub. */
  checkResponse(op: MatchedOperation, status: number, body: unknown): Check {
    const response = this.#operation(op).responses[String(status)];
    if (!response) return { ok: false, problems: [`${op.operationId} has no ${status} response`] };
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return { ok: true };
    const validate = this.#validator(this.#ajv, `${op.method} ${op.template} ${status}`, schema);
    return validate(body) ? { ok: true } : { ok: false, problems: describe('response', validate.errors) };
  }

  /** A response example from the description (components/examples), deep-copied. */
  example(name: string): Record<string, unknown> {
    const example = this.#doc.components.examples[name];
    if (!example) throw new Error(`no example ${name} in the OpenAPI description`);
    return structuredClone(example.value) as Record<string, unknown>;
  }

  #operation(op: MatchedOperation): Operation {
    const operation = this.#doc.paths[op.template]?.[op.method];
    if (!operation) throw new Error(`no operation ${op.method} ${op.template}`);
    return operation;
  }

  #parameter(p: Parameter | { $ref: string }): Parameter {
    if (!('$ref' in p)) return p;
    const name = p.$ref.replace('#/components/parameters/', '');
    const found = this.#doc.components.parameters[name];
    if (!found) throw new Error(`unresolved parameter ${p.$ref}`);
    return found;
  }

  #checkValue(key: string, p: Parameter, value: string | undefined): string[] {
    if (value === undefined) return p.required ? [`parameter "${p.name}" is missing`] : [];
    if (!p.schema) return [];
    const validate = this.#validator(this.#coercing, key, { type: 'object', properties: { v: p.schema } });
    const holder = { v: value };
    return validate(holder)
      ? []
      : describe(`${p.in} parameter ${p.name}="${value}"`, validate.errors).map((m) =>
          m.replace('"/v ', '" '),
        );
  }

  #validator(ajv: Ajv, key: string, schema: object): ValidateFunction {
    const cacheKey = `${ajv === this.#ajv ? 'strict' : 'coerce'} ${key}`;
    let validate = this.#cache.get(cacheKey);
    if (!validate) {
      // Local refs of an operation's schema point into the description, registered as `openapi`.
      validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/', '"openapi#/')) as object);
      this.#cache.set(cacheKey, validate);
    }
    return validate;
  }
}

function route(template: string): Route {
  const names: string[] = [];
  let literal = 0;
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{(.+)\}$/.exec(part);
      if (!m?.[1]) {
        literal += part.length;
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(m[1]);
      // A file path may keep its slashes; every other parameter is one segment.
      return m[1] === 'path' ? '(.+)' : '([^/]+)';
    })
    .join('');
  return { template, regex: new RegExp(`^${pattern}$`), names, literal };
}

function makeAjv(coerce: boolean, doc: Description): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    coerceTypes: coerce,
    validateSchema: false,
    logger: false,
  });
  addFormats(ajv);
  // Schemas refer to `#/components/schemas/…` of the description: resolve them against it.
  ajv.addSchema({ components: doc.components } as object, 'openapi');
  return ajv;
}

/**
 * OpenAPI 3.0 reads `nullable: true` as "null is also valid", enum or not, type or not; JSON
 * Schema's enum would still reject null, and ajv refuses nullable without a type. Rewriting both
 * keeps the description's meaning under ajv.
 */
function allowNullInNullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) allowNullInNullableEnums(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (record.nullable === true && Array.isArray(record.enum) && !record.enum.includes(null))
    record.enum.push(null);
  for (const value of Object.values(record)) allowNullInNullableEnums(value);
  // `nullable` beside a $ref or allOf (no type): ajv refuses it; say the same with anyOf.
  if (record.nullable === true && record.type === undefined) {
    const { nullable: _nullable, ...rest } = record;
    for (const key of Object.keys(record)) delete record[key];
    record.anyOf = [rest, { type: 'null' }];
  }
}

function describe(what: string, errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? [])
    .slice(0, 8)
    .map(
      (e) =>
        `${what}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`,
    );
}

let shared: OpenApi | undefined;

/** One parsed description per test process (parsing the 13 MB file takes a moment). */
export function sharedOpenApi(): OpenApi {
  shared ??= new OpenApi();
  return shared;
}
