import { join } from 'node:path';
import { type StepVerdict, stepVerdict } from '../../compare/bisect/step-verdict.js';
import type { VariantName } from '../../compile/variants.js';
import type { ThresholdsInput } from '../../config/thresholds.schema.js';
import type { BisectStep } from '../../report/bisect/bisect-result.schema.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import type { TreeRequest, ValidateProgress } from '../request/contract.js';
import { stormAndMeasure } from '../validate.js';
import type { Candidate } from './candidates.js';

/** What every step of one bisection shares. */
export interface StepSetup {
  readonly good: TreeRequest;
  readonly workloads: readonly string[];
  readonly variants: readonly VariantName[];
  readonly thresholds: ThresholdsInput;
  readonly firstCap: number;
  readonly retests: number;
  readonly seed?: number;
  readonly lanes?: number;
  readonly cpus?: string;
  readonly outDir: string;
  readonly sandbox?: SandboxMode;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ValidateProgress) => void;
  /** Storm seconds left for the whole bisection. */
  readonly secondsLeft: () => number;
}

/**
 * One step: the candidate against the good point on every cell, a validation's storms with the
 * step's error rates (no throughput, stop at the first cell that shows the regression). An
 * inconclusive step is retested with twice the cap: base and head results come back from the
 * caches, so the retest goes on with the same sequence where the last attempt stopped.
 */
export async function runStep(
  role: BisectStep['role'],
  candidate: Candidate,
  setup: StepSetup,
  label: string,
): Promise<{ step: BisectStep; verdict: StepVerdict }> {
  let cap = setup.firstCap;
  let totals = { run: 0, ms: 0 };
  for (let attempt = 1; ; attempt++) {
    let ran = 0;
    const { runs } = await stormAndMeasure(
      {
        base: setup.good,
        head: candidate.tree,
        workloads: setup.workloads,
        variants: setup.variants,
        iterations: cap,
        throughputRuns: 0,
        failFast: true,
        stopOnFinding: false,
        headCache: true,
        thresholds: setup.thresholds,
        budgetSeconds: Math.max(1, setup.secondsLeft()),
        outDir: join(setup.outDir, `${label}-attempt-${attempt}`),
        ...(setup.seed === undefined ? {} : { seed: setup.seed }),
        ...(setup.lanes ? { lanes: setup.lanes } : {}),
        ...(setup.cpus ? { cpus: setup.cpus } : {}),
        ...(setup.sandbox ? { sandbox: setup.sandbox } : {}),
      },
      {
        ...(setup.signal ? { signal: setup.signal } : {}),
        onProgress: (p) => {
          if (p.phase === 'storm') ran = Math.max(ran, p.iterationsDone);
          setup.onProgress?.(p);
        },
      },
    );
    const records = runs.reduce((n, r) => n + r.base.length + r.head.length, 0);
    totals = { run: totals.run + ran, ms: totals.ms + runs.reduce((ms, r) => ms + r.elapsedMs, 0) };
    const verdict = stepVerdict(runs.map((r) => r.state.decision));
    const last = verdict !== 'inconclusive' || attempt > setup.retests || setup.secondsLeft() <= 0;
    if (last) {
      const step: BisectStep = {
        role,
        candidate: { index: candidate.index, name: candidate.name },
        attempts: attempt,
        cap,
        verdict,
        cells: runs.map((r) => ({
          workload: r.plan.workload.name,
          variant: r.plan.variant,
          base: { iterations: r.state.decision.iterations.base, failures: r.state.decision.failures.base },
          head: { iterations: r.state.decision.iterations.head, failures: r.state.decision.failures.head },
          decision: r.state.decision.reason ?? 'open',
          evidence: r.state.decision.evidence,
        })),
        iterationsRun: totals.run,
        // What the last attempt took from the caches and no attempt of this step ran.
        iterationsReused: Math.max(0, records - totals.run),
        stormSeconds: totals.ms / 1000,
      };
      return { step, verdict };
    }
    cap *= 2;
  }
}
