/**
 * Faults the stand-in injects in place of (or after) a valid answer: GitHub's server errors, its rate
 * limit, and a connection that drops. A request is checked against the OpenAPI description before a
 * fault is chosen, so a faulted request is still a request GitHub would have accepted.
 */

export type Fault =
  /** A server error (GitHub answers 500, 502 or 503 when it is having a bad day). */
  | { readonly kind: 'status'; readonly status: 500 | 502 | 503 }
  /** The secondary rate limit: 429 with Retry-After, as GitHub answers bursts of writes. */
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number }
  /**
   * The connection is reset. `before`: nothing happened on GitHub's side. `after`: the request took
   * effect (a check run exists), only the answer is lost: the nastiest case for a client that retries.
   */
  | { readonly kind: 'reset'; readonly when: 'before' | 'after' };

export interface FaultRule {
  readonly fault: Fault;
  /** Only requests of this operation; every operation when absent. */
  readonly operationId?: string;
  /** Every Nth matching request (1: each one). */
  readonly every?: number;
  /** At most this many faults from this rule; unlimited when absent. */
  readonly times?: number;
}

/** A rule in force: how many requests it saw and faulted; `remove()` ends it. */
export interface ActiveFault {
  readonly rule: FaultRule;
  seen: number;
  fired: number;
  remove(): void;
}

export class FaultPlan {
  readonly #rules: ActiveFault[] = [];

  add(rule: FaultRule): ActiveFault {
    if (rule.every !== undefined && (!Number.isInteger(rule.every) || rule.every < 1)) {
      throw new Error(`a fault rule's "every" must be a whole number ≥ 1, not ${rule.every}`);
    }
    const active: ActiveFault = {
      rule,
      seen: 0,
      fired: 0,
      remove: () => {
        const at = this.#rules.indexOf(active);
        if (at >= 0) this.#rules.splice(at, 1);
      },
    };
    this.#rules.push(active);
    return active;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The fault for this request, if a rule fires on it; every matching rule counts the request. */
  pick(operationId: string): Fault | undefined {
    let chosen: Fault | undefined;
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.operationId !== undefined && rule.operationId !== operationId) continue;
      active.seen++;
      if (chosen) continue;
      if (rule.times !== undefined && active.fired >= rule.times) continue;
      if (active.seen % (rule.every ?? 1) !== 0) continue;
      active.fired++;
      chosen = rule.fault;
    }
    return chosen;
  }
}

/** The error answer of a status or rate-limit fault, in GitHub's words. */
export function faultAnswer(fault: Exclude<Fault, { kind: 'reset' }>): {
  status: number;
  headers: Record<string, string>;
  body: { message: string; documentation_url: string };
} {
  switch (fault.kind) {
    case 'status':
      return {
        status: fault.status,
        headers: {},
        body: { message: 'Server Error (injected by the stand-in)', documentation_url: docs },
      };
    case 'rate-limit':
      return {
        status: 429,
        headers: { 'retry-after': String(fault.retryAfterSeconds) },
        body: {
          message: 'You have exceeded a secondary rate limit (injected by the stand-in).',
          documentation_url: docs,
        },
      };
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}

const docs = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
