import { setImmediate as turn } from 'node:timers/promises';

/**
 * Runs `body(r)` for r = 0 … runs − 1, giving the event loop a turn every 100 ms. A simulation that
 * holds the loop for long starves the test worker's link to vitest, which gives up on it after 60 s
 * ("Timeout calling onTaskUpdate", an unhandled error that fails the run): 25 s alone can be 60 s
 * beside the whole suite on 2 cores.
 */
export async function forEachRun(runs: number, body: (run: number) => void): Promise<void> {
  let since = performance.now();
  for (let r = 0; r < runs; r++) {
    body(r);
    if (performance.now() - since > 100) {
      await turn();
      since = performance.now();
    }
  }
}
