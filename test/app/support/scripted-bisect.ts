import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { bisectSteps, certaintyAfter, splitErrors } from '../../../src/compare/bisect/error-split.js';
import { narrow, nextProbe, type SearchRange } from '../../../src/compare/bisect/search.js';
import { candidatesOf } from '../../../src/pipeline/bisect/candidates.js';
import type { Bisect } from '../../../src/pipeline/bisect/contract.js';
import { bisectHeadline } from '../../../src/report/bisect/bisect-headline.js';
import {
  type BisectAnswer,
  BisectResult,
  type BisectStep,
} from '../../../src/report/bisect/bisect-result.schema.js';
import { SigstormError } from '../../../src/util/errors.js';

/**
 * A bisection with a scripted outcome, for the App tests (the bisection itself is tested by
 * test/pipeline/bisect*.test.ts on real storms): the request's commits are listed for real (git, in
 * the test's repository), every step's verdict follows from `firstBad` (a candidate is bad from it
 * on; null: none is), with fixed counts (20 iterations a side, every one failing on a bad candidate).
 * The first step's start is reported, then the bisection takes `ms` (a stop or cancel signal ends it
 * sooner, as it does a storm). Every call is logged (one JSON line) for the test to read.
 */
export const BisectScript = z.object({
  /** The first bad candidate (1 is the pull request's first commit); null: the bad point is not worse. */
  firstBad: z.number().int().min(1).nullable(),
  /** How long a bisection takes; a list: the n-th bisection of the log takes the n-th (the last: every later one). */
  ms: z.union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1).readonly()]),
  log: z.string(),
});
export type BisectScript = z.input<typeof BisectScript>;

const runs = 20;

export function scriptedBisect(input: BisectScript): Bisect {
  const script = BisectScript.parse(input);
  return async (request, options = {}) => {
    await mkdir(dirname(script.log), { recursive: true });
    const before = (await readFile(script.log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const { series, workloads, variants, observedRise } = request;
    await appendFile(
      script.log,
      `${JSON.stringify({ series, workloads, variants, observedRise: observedRise ?? null })}\n`,
    );
    const ms = Array.isArray(script.ms) ? (script.ms[before] ?? script.ms.at(-1) ?? 0) : script.ms;
    const { candidates } = await candidatesOf(series, { signal: options.signal });
    const n = candidates.length - 1;
    const split = splitErrors(0.05, 0.05, bisectSteps(n, false));
    const steps: BisectStep[] = [];
    const say = (line: string) => options.onStep?.(line);
    const step = (role: BisectStep['role'], index: number): 'good' | 'bad' => {
      const candidate = candidates[index] ?? { index, name: '?' };
      const verdict = script.firstBad !== null && index >= script.firstBad ? 'bad' : 'good';
      steps.push({
        role,
        candidate: { index, name: candidate.name },
        attempts: 1,
        cap: runs,
        verdict,
        cells: variants.flatMap((variant) =>
          workloads.map((workload) => ({
            workload,
            variant,
            base: { iterations: runs, failures: 0 },
            head: { iterations: runs, failures: verdict === 'bad' ? runs : 0 },
            decision: verdict === 'bad' ? 'regression' : 'equivalent',
            evidence: 'scripted',
          })),
        ),
        iterationsRun: 2 * runs,
        iterationsReused: 0,
        stormSeconds: 1,
      });
      say(`step ${steps.length}: ${index} is ${verdict} (scripted)`);
      return verdict;
    };
    say(`step 1 of at most ${split.steps}: ${n} (${candidates[n]?.name}) against the good point`);
    options.onProgress?.({
      phase: 'storm',
      message: 'scripted bisection',
      iterationsDone: 0,
      iterationsTotal: 1,
      cellsDone: 0,
      cellsTotal: 1,
    });
    try {
      await sleep(ms, undefined, { signal: options.signal });
    } catch {
      throw new SigstormError('Bisection cancelled', { hint: 'Start it again to get an answer.' });
    }
    const answer = ((): BisectAnswer => {
      if (step('bad-point', n) === 'good') {
        return { kind: 'no-regression', why: 'scripted', certainty: certaintyAfter(split, steps.length) };
      }
      let range: SearchRange = { good: 0, bad: n };
      for (let probe = nextProbe(range); probe !== null; probe = nextProbe(range)) {
        range = narrow(range, probe, step('probe', probe));
      }
      return {
        kind: 'first-bad',
        index: range.bad,
        name: candidates[range.bad]?.name ?? '?',
        alone: 'not-tried',
        certainty: certaintyAfter(split, steps.length),
      };
    })();
    return BisectResult.parse({
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      headline: bisectHeadline(answer),
      answer,
      candidates: candidates.map((c) => ({ index: c.index, name: c.name })),
      cells: variants.flatMap((variant) => workloads.map((workload) => ({ workload, variant }))),
      design: {
        alpha: 0.05,
        beta: 0.05,
        steps: split.steps,
        perStep: split.perStep,
        tolerance: Object.fromEntries(variants.map((v) => [v, 0.25])),
        retests: 2,
        seed: null,
      },
      steps,
      totals: { iterationsRun: 2 * runs * steps.length, iterationsReused: 0, stormSeconds: steps.length },
    });
  };
}

/** When no test scripted one: a bisection fails, saying so. */
export const unscriptedBisect: Bisect = async () => {
  throw new SigstormError('No bisection is scripted in this test', {
    hint: 'Give Harness.create a bisect script.',
  });
};
