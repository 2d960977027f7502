/**
 * Deterministic randomness: the storm's seed and an iteration index give the same choices on every
 * machine, so one iteration can be rerun alone (`--only-iteration`).
 */
export type Random = () => number;

/** splitmix32 over (seed, iteration): independent streams per iteration, no shared state. */
export function iterationRandom(seed: number, iteration: number): Random {
  let state = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(iteration >>> 0, 0x85ebca6b) ^ 0x6a09e667) >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z ^= z >>> 15;
    return (z >>> 0) / 4294967296;
  };
}

/** A uniformly drawn integer in [lo, hi] (both inclusive). */
export function drawInt(random: Random, [lo, hi]: readonly [number, number]): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

/** A fresh seed for a storm that was not given one. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
