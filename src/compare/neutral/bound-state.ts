import type { BinomialCount } from '../stats/binomial-count.js';
import { differenceBound } from './difference-bound.js';
import { lookLevel, lookReached } from './looks.js';

/** A non-inferiority bound (head at most `tolerance` worse than base), folded over running totals. */
export interface BoundState {
  readonly tolerance: number;
  /** Iterations per side (the smaller side counts) at the first look; look k is at first · 1.5^k (looks.ts). */
  readonly firstLook: number;
  /** Looks taken so far; the next look is at lookAt(looks, firstLook). */
  readonly looks: number;
  readonly shown: boolean;
  /** The bound at the last look taken; null before the first. */
  readonly upper: number | null;
  readonly rule: 'head-clean' | 'difference' | null;
  /** Miss rate the last look spent. */
  readonly level: number | null;
  /** Totals at the last look. */
  readonly at: { readonly base: BinomialCount; readonly head: BinomialCount } | null;
}

export function initialBound(tolerance: number, firstLook: number): BoundState {
  return { tolerance, firstLook, looks: 0, shown: false, upper: null, rule: null, level: null, at: null };
}

/**
 * Advances the bound to new running totals. A look is taken once per threshold (first · 1.5^k,
 * smaller side), at the first totals that reach it, with that look's share of beta; a batch that
 * jumps past several thresholds takes one look at the highest. Once shown, the bound is final.
 */
export function advanceBound(
  state: BoundState,
  totals: { readonly base: BinomialCount; readonly head: BinomialCount },
  beta: number,
): BoundState {
  if (state.shown) return state;
  const reached = lookReached(Math.min(totals.base.n, totals.head.n), state.firstLook);
  if (reached < state.looks) return state;
  const level = lookLevel(reached, beta);
  // Past the last look no beta is left: the bound stays as it was.
  if (level === 0) return state;
  const bound = differenceBound(totals.base, totals.head, level);
  if (!bound) return state;
  return {
    ...state,
    looks: reached + 1,
    shown: bound.upper <= state.tolerance,
    upper: bound.upper,
    rule: bound.rule,
    level,
    at: { base: totals.base, head: totals.head },
  };
}
