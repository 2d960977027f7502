import type { BinomialCount } from '../stats/binomial-count.js';
import { differenceBound } from './difference-bound.js';
import { type Look, lookReached } from './looks.js';

/** A non-inferiority bound (head at most `tolerance` worse than base), folded over running totals. */
export interface BoundState {
  readonly tolerance: number;
  /** Where the bound is looked at and the miss rate each look spends (looks.ts). */
  readonly schedule: readonly Look[];
  /** Looks of the schedule passed so far (taken, or jumped over by a batch); the next is schedule[looks]. */
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

export function initialBound(tolerance: number, schedule: readonly Look[]): BoundState {
  if (schedule.length === 0) throw new RangeError('initialBound: a bound needs at least one look');
  return { tolerance, schedule, looks: 0, shown: false, upper: null, rule: null, level: null, at: null };
}

/** Iterations per side (the smaller side) at which the next look is taken; null after the last. */
export function nextLookAt(state: BoundState): number | null {
  return state.shown ? null : (state.schedule[state.looks]?.at ?? null);
}

/**
 * Advances the bound to new running totals. A look is taken once per scheduled count (the smaller
 * side), at the first totals that reach it, with that look's share of beta; a batch that jumps past
 * several takes one look at the highest. Once shown, the bound is final; after the last look it
 * stays as it was.
 */
export function advanceBound(
  state: BoundState,
  totals: { readonly base: BinomialCount; readonly head: BinomialCount },
): BoundState {
  if (state.shown) return state;
  const reached = lookReached(Math.min(totals.base.n, totals.head.n), state.schedule);
  if (reached < state.looks) return state;
  const level = (state.schedule[reached] as Look).level;
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
