import type { NeutralBound } from '../comparison.schema.js';
import type { BoundState } from './bound-state.js';

/** The reported shape of a bound. */
export function reportBound(s: BoundState): NeutralBound {
  return {
    tolerance: s.tolerance,
    shown: s.shown,
    upper: s.upper === null ? null : Math.min(1, s.upper),
    rule: s.rule,
    confidence: s.level === null ? null : 1 - s.level,
    looks: s.looks,
    iterations: { base: s.at?.base.n ?? 0, head: s.at?.head.n ?? 0 },
    failures: { base: s.at?.base.failures ?? 0, head: s.at?.head.failures ?? 0 },
  };
}
