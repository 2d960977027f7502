import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  bisectSteps,
  certaintyAfter,
  designedTolerance,
  firstCap,
  splitErrors,
} from '../../compare/bisect/error-split.js';
import { narrow, nextProbe, type SearchRange } from '../../compare/bisect/search.js';
import type { VariantName } from '../../compile/variants.js';
import { defaultThresholds } from '../../config/thresholds.schema.js';
import { bisectHeadline } from '../../report/bisect/bisect-headline.js';
import {
  type BisectAnswer,
  BisectResult,
  type BisectStep,
} from '../../report/bisect/bisect-result.schema.js';
import { UsageError } from '../../util/errors.js';
import { cacheRoot } from '../../util/paths.js';
import type { Candidate } from './candidates.js';
import { candidatesOf } from './candidates.js';
import type { Bisect } from './contract.js';
import { runStep, type StepSetup } from './run-step.js';

/**
 * `sigstorm bisect` (docs/bisect.md), the same for the CLI and the App:
 * 1. list the candidates (patch prefixes or commits) and split α and β over the most steps it can take;
 * 2. the bad point against the good one: not worse → no regression to bisect;
 * 3. binary search: each probe is a sequential test against the good point, retested when inconclusive;
 * 4. a patch series tries the culprit alone on the good point: not worse alone → no single culprit.
 * A step still inconclusive after its retests, or the budget spent, ends as undecided: never a guess.
 */
export const bisect: Bisect = async (request, options = {}) => {
  const budgetSeconds = request.budgetSeconds ?? 1800;
  const outDir = resolve(
    request.outDir ??
      join(
        cacheRoot(),
        'runs',
        `bisect-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 6)}`,
      ),
  );
  const say = (line: string) => options.onStep?.(line);

  // 1. Candidates and the error split.
  const { candidates, alone } = await candidatesOf(request.series, {
    signal: options.signal,
    onProgress: say,
  });
  const n = candidates.length - 1;
  const alpha = request.alpha ?? defaultThresholds.stability.alpha;
  const beta = request.beta ?? defaultThresholds.stability.beta;
  const split = splitErrors(alpha, beta, bisectSteps(n, alone !== undefined));
  const retests = request.retests ?? 2;
  const minIterations = request.minIterations ?? 10;
  const floor = (v: VariantName) => defaultThresholds.stability.tolerance[v];
  const toleranceFor = (rise: Partial<Record<VariantName, number>> | undefined) =>
    Object.fromEntries(
      request.variants.map((v) => [v, request.tolerance ?? designedTolerance(rise?.[v] ?? null, floor(v))]),
    ) as Record<VariantName, number>;
  let tolerance = toleranceFor(request.observedRise);
  let stormMs = 0;
  const steps: BisectStep[] = [];
  const good = candidates[0] as Candidate;
  const setupFor = (): StepSetup => ({
    good: good.tree,
    workloads: request.workloads,
    variants: request.variants,
    thresholds: {
      stability: {
        alpha: split.perStep.alpha,
        beta: split.perStep.beta,
        tolerance,
        minIterationsPerSide: minIterations,
      },
    },
    firstCap: Math.max(
      ...request.variants.map((v) => firstCap(tolerance[v], split.perStep.beta, minIterations)),
    ),
    retests,
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.lanes ? { lanes: request.lanes } : {}),
    ...(request.cpus ? { cpus: request.cpus } : {}),
    outDir,
    ...(request.sandbox ? { sandbox: request.sandbox } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    secondsLeft: () => budgetSeconds - stormMs / 1000,
  });
  const step = async (role: BisectStep['role'], candidate: Candidate) => {
    say(
      `step ${steps.length + 1} of at most ${split.steps}: ${candidate.index} (${candidate.name}) against the good point`,
    );
    const got = await runStep(role, candidate, setupFor(), `step-${steps.length + 1}`);
    steps.push(got.step);
    stormMs += got.step.stormSeconds * 1000;
    const counts = got.step.cells.map(
      (c) =>
        `${c.workload} (${c.variant}) ${c.base.failures}/${c.base.iterations} vs ${c.head.failures}/${c.head.iterations}`,
    );
    say(
      `step ${steps.length}: ${candidate.index} is ${got.verdict} (${counts.join('; ')}; ${got.step.attempts} attempt${got.step.attempts > 1 ? 's' : ''})`,
    );
    return got;
  };
  const decided = () => steps.filter((s) => s.verdict !== 'inconclusive').length;
  const undecided = (range: SearchRange, last: BisectStep): BisectAnswer => ({
    kind: 'undecided-within-budget',
    range,
    why:
      budgetSeconds - stormMs / 1000 <= 0
        ? `the storm budget of ${budgetSeconds} s ran out testing ${last.candidate.index}`
        : `${last.candidate.index} (${last.candidate.name}) was still inconclusive after ${last.attempts} attempts (cap ${last.cap} iterations per cell and side)`,
  });

  const answer = await (async (): Promise<BisectAnswer> => {
    // 2. The bad point against the good one.
    const badPoint = candidates[n] as Candidate;
    const first = await step('bad-point', badPoint);
    if (first.verdict === 'good') {
      return {
        kind: 'no-regression',
        why: `${badPoint.index} (${badPoint.name}) is not worse than the good point by the designed effect`,
        certainty: certaintyAfter(split, decided()),
      };
    }
    const lastStep = () => steps[steps.length - 1] as BisectStep;
    if (first.verdict === 'inconclusive') return undecided({ good: 0, bad: n }, lastStep());
    // The steps from here are designed for the regression the bad point shows (unless given).
    if (request.tolerance === undefined && request.observedRise === undefined) {
      tolerance = toleranceFor(observedRise(first.step));
    }

    // 3. Binary search between the last good and the first bad candidate.
    let range: SearchRange = { good: 0, bad: n };
    for (let probe = nextProbe(range); probe !== null; probe = nextProbe(range)) {
      const got = await step('probe', candidates[probe] as Candidate);
      if (got.verdict === 'inconclusive') return undecided(range, lastStep());
      range = narrow(range, probe, got.verdict);
    }
    const culprit = candidates[range.bad] as Candidate;

    // 4. The culprit's patch alone on the good point (the first patch already was alone).
    const firstBad = (aloneToo: 'bad' | 'does-not-apply' | 'not-tried' | 'undecided'): BisectAnswer => ({
      kind: 'first-bad',
      index: culprit.index,
      name: culprit.name,
      alone: aloneToo,
      certainty: certaintyAfter(split, decided()),
    });
    if (!alone || culprit.index === 1) return firstBad('not-tried');
    let isolated: Awaited<ReturnType<typeof step>>;
    try {
      isolated = await step('isolation', alone(culprit.index));
    } catch (error) {
      // Every other input was checked by the steps before: the patch needs earlier ones to apply.
      if (!(error instanceof UsageError)) throw error;
      say(`${culprit.name} does not apply alone on the good point: ${error.message}`);
      return firstBad('does-not-apply');
    }
    if (isolated.verdict === 'good') {
      return {
        kind: 'no-single-culprit',
        index: culprit.index,
        name: culprit.name,
        why: `${culprit.name} alone on the good point is not worse: it needs some of the patches before it`,
        certainty: certaintyAfter(split, decided()),
      };
    }
    return firstBad(isolated.verdict === 'bad' ? 'bad' : 'undecided');
  })();

  return BisectResult.parse({
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    headline: bisectHeadline(answer),
    answer,
    candidates: candidates.map((c) => ({ index: c.index, name: c.name })),
    cells: request.variants.flatMap((variant) =>
      request.workloads.map((workload) => ({ workload, variant })),
    ),
    design: {
      alpha,
      beta,
      steps: split.steps,
      perStep: split.perStep,
      tolerance,
      retests,
      seed: request.seed ?? null,
    },
    steps,
    totals: {
      iterationsRun: steps.reduce((s, x) => s + x.iterationsRun, 0),
      iterationsReused: steps.reduce((s, x) => s + x.iterationsReused, 0),
      stormSeconds: stormMs / 1000,
    },
  });
};

/** Per variant, the largest rise of the failure rate the bad point showed in a cell. */
function observedRise(step: BisectStep): Partial<Record<VariantName, number>> {
  const rise: Partial<Record<VariantName, number>> = {};
  for (const c of step.cells) {
    if (c.base.iterations === 0 || c.head.iterations === 0) continue;
    const r = c.head.failures / c.head.iterations - c.base.failures / c.base.iterations;
    rise[c.variant] = Math.max(rise[c.variant] ?? 0, r);
  }
  return rise;
}
