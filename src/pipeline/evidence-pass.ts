import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { frameLocations, inTreeCandidate } from '../classify/frame-locations.js';
import type { CauseEntry, Comparison, StackRerun } from '../compare/comparison.schema.js';
import type { BuildResult } from '../compile/build-tree.js';
import type { VariantName } from '../compile/variants.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import type { PublicSource } from '../source/public-source.js';
import { signaturesOf } from '../storm/count-outcomes.js';
import { parseCpuList } from '../storm/cpus.js';
import { evidenceOf } from '../storm/evidence.js';
import type { LanePool } from '../storm/lanes.js';
import type { IterationRecord } from '../storm/record.js';
import { portableReproCommand } from '../storm/repro.js';
import { runIterations } from '../storm/run-iterations.js';
import type { StormWorkload } from '../workload/schema.js';
import { withoutLocalPaths, workloadShown } from './output/portable-repro.js';
import type { CellRun } from './schedule/cell-run.js';
import { iterationPriorMs } from './schedule/iteration-prior.js';
import { iterationCost } from './schedule/look-budget.js';

/**
 * Bounds of the pass. Measured (docs/report.md): rerun on ASan, a plain crash's iteration gave a stack
 * in the tree in 10 of 10 reruns on the bundled subject, 1 of 5 on iperf3 3.18; six attempts find
 * one there about three times in four, and a pass that finds nothing costs at most the budget.
 */
export const evidenceBounds = { causes: 3, attemptsPerCause: 6, budgetMs: 90_000 } as const;

/**
 * Chance that one rerun on ASan gives a stack in the tree, for pricing the pass: iperf3 3.18's measured
 * 1 in 5 (the subject's 10 in 10 would price a single attempt; the harder case is priced).
 */
export const evidenceHitPrior = 0.2;

/**
 * The evidence pass's expected time, ms, from the storms' records, before the comparison: each cell
 * of a build without stacks (up to bounds.causes) whose head crashed with a signature its base did
 * not show is a cause the pass reruns, each attempt one ASan iteration of the workload (its cell's
 * measured rate `asanIterationMs`, on one lane), until a hit: (1 − (1 − p)^A) / p attempts expected
 * of at most A (evidenceHitPrior), the whole within bounds.budgetMs.
 */
export function evidenceExpectedMs(
  runs: readonly Pick<CellRun, 'plan' | 'base' | 'head'>[],
  asanIterationMs: (workload: StormWorkload) => number,
  bounds: { causes: number; attemptsPerCause: number; budgetMs: number } = evidenceBounds,
): number {
  const crashes = (records: readonly IterationRecord[]) =>
    new Set(
      records.filter((r) => r.target.outcome.kind === 'crash').flatMap((r) => signaturesOf(r.target.outcome)),
    );
  const causes = runs
    .filter((r) => r.plan.variant !== stackVariant)
    .filter((r) => {
      const base = crashes(r.base);
      return [...crashes(r.head)].some((s) => !base.has(s));
    })
    .slice(0, bounds.causes);
  const p = evidenceHitPrior;
  const attempts = (1 - (1 - p) ** bounds.attemptsPerCause) / p;
  const ms = causes.reduce((sum, r) => sum + attempts * asanIterationMs(r.plan.workload), 0);
  return Math.min(bounds.budgetMs, ms);
}

/**
 * Wall time of one ASan iteration of the workload on one lane, ms: its ASan cell's rate this run,
 * else the base cache's (both per lane: a batch runs on `lanes` lanes), else the workload's ASan
 * prior (./schedule/iteration-prior.ts).
 */
export function asanIterationMs(
  runs: readonly CellRun[],
  lanes: number,
): (workload: StormWorkload) => number {
  return (workload) => {
    const run = runs.find((r) => r.plan.workload.name === workload.name && r.plan.variant === stackVariant);
    const ran = run ? run.base.length - run.reusedBase + run.head.length : 0;
    const cached = run?.plan.baseCache.meanIterationMs() ?? null;
    return iterationCost({
      meanIterationMs: run && ran > 0 ? (run.elapsedMs / ran) * lanes : null,
      cachedIterationMs: cached === null ? null : cached * lanes,
      priorIterationMs: iterationPriorMs(workload, stackVariant),
    });
  };
}

/** The build that reruns a stackless finding: ASan prints the faulting stack where plain prints a signal. */
const stackVariant: VariantName = 'asan';

export interface EvidencePassOptions {
  readonly comparison: Comparison;
  readonly runs: readonly CellRun[];
  readonly headBuilds: Partial<Record<VariantName, BuildResult>>;
  /** Builds head in a variant the validation did not build (cached): a plain-only run gets its ASan build here. */
  readonly buildHead?: (variant: VariantName) => Promise<BuildResult>;
  /** The head tree: a hit counts when a frame of its report is a file of it. */
  readonly headDir: string;
  readonly headSource: PublicSource;
  readonly pool: LanePool;
  readonly sandbox: SandboxMode;
  readonly signal?: AbortSignal;
  readonly bounds?: { causes: number; attemptsPerCause: number; budgetMs: number };
  /** Called before each rerun, for progress. */
  readonly onAttempt?: (cause: CauseEntry, attempt: number) => void;
}

/** A settled finding that no stack places: a head crash of a variant with no stacks of its own. */
export function needsStack(c: CauseEntry, headDir: string, evidence: (c: CauseEntry) => string[]): boolean {
  return (
    c.finding &&
    c.bucket === 'new' &&
    c.role === 'target' &&
    c.kind === 'crash' &&
    c.variant !== stackVariant &&
    !evidence(c).some((text) => inTreeFrame(text, headDir))
  );
}

function inTreeFrame(text: string, dir: string): boolean {
  return frameLocations(text).some((f) => inTreeCandidate(f.path) && existsSync(join(dir, f.path)));
}

/**
 * The evidence pass, after the verdict: each finding settled on a build without stacks (a plain
 * SIGSEGV or stack smash) has its failing iterations rerun, same seed and same moment, on the ASan
 * build of the same cell until one gives a report with a frame in the tree (bounded in causes,
 * attempts and time). The cause keeps what the reruns gave (`rerun`); placeCauses reads it.
 */
export async function evidencePass(o: EvidencePassOptions): Promise<Comparison> {
  const bounds = o.bounds ?? evidenceBounds;
  const { causes, signatures } = o.comparison.stability;
  const evidence = (c: CauseEntry) =>
    signatures
      .filter(
        (e) =>
          e.workload === c.workload &&
          e.variant === c.variant &&
          e.role === c.role &&
          c.signatures.some((s) => s.signature === e.signature),
      )
      .map((e) => e.evidence);
  const wanted = causes.filter((c) => needsStack(c, o.headDir, evidence)).slice(0, bounds.causes);
  if (wanted.length === 0) return o.comparison;
  const build = o.headBuilds[stackVariant] ?? (await o.buildHead?.(stackVariant));
  if (!build) return o.comparison;
  const deadline = performance.now() + bounds.budgetMs;
  const reruns = new Map<CauseEntry, StackRerun>();
  for (const cause of wanted) {
    const run = o.runs.find(
      (r) => r.plan.workload.name === cause.workload && r.plan.variant === cause.variant,
    );
    const failing = run ? failingRecords(run.head, cause) : [];
    const first = failing[0];
    if (!run || !first) continue;
    const started = performance.now();
    const tried: number[] = [];
    let hits = 0;
    let hit: { record: IterationRecord; evidence: string } | null = null;
    for (let attempt = 0; attempt < bounds.attemptsPerCause && hit === null; attempt++) {
      if (performance.now() > deadline || o.signal?.aborted) break;
      // The failing iterations in turn: each one's seed and index fix its moment and delays.
      const record = failing[attempt % failing.length] as IterationRecord;
      o.onAttempt?.(cause, attempt + 1);
      tried.push(record.iteration);
      const { records } = await runIterations({
        pool: o.pool,
        lanes: o.pool.lanes.slice(0, 1),
        binary: build.binary,
        variant: stackVariant,
        workload: run.plan.workload,
        workloadRef: run.plan.workloadRef,
        seed: record.seed,
        iterations: [record.iteration],
        stormId: `evidence-${cause.workload}-${stackVariant}`,
        sandbox: o.sandbox,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const rerun = records[0];
      const outcome = rerun?.target.side === cause.process ? rerun.target.outcome : undefined;
      if (!rerun || !outcome || outcome.kind !== 'sanitizer') continue;
      const text = withoutLocalPaths(evidenceOf(outcome));
      if (!inTreeFrame(text, o.headDir)) continue;
      hits++;
      hit = { record: rerun, evidence: text };
    }
    const outcome = hit?.record.target.outcome;
    reruns.set(cause, {
      variant: stackVariant,
      seed: first.seed,
      iterations: tried,
      attempts: tried.length,
      hits,
      elapsedMs: Math.round(performance.now() - started),
      signature: outcome && outcome.kind === 'sanitizer' ? outcome.signature : null,
      iteration: hit?.record.iteration ?? null,
      evidence: hit?.evidence ?? '',
      repro: hit
        ? portableReproCommand({
            source: o.headSource,
            variant: stackVariant,
            workloadRef: workloadShown(run.plan.workloadRef),
            seed: hit.record.seed,
            iteration: hit.record.iteration,
            cpuCount: parseCpuList(hit.record.cpus).length,
          })
        : null,
    });
  }
  return {
    ...o.comparison,
    stability: {
      ...o.comparison.stability,
      causes: causes.map((c) => {
        const rerun = reruns.get(c);
        return rerun ? { ...c, rerun } : c;
      }),
    },
  };
}

/** The head records whose target showed one of the cause's signatures, earliest first. */
function failingRecords(records: readonly IterationRecord[], cause: CauseEntry): IterationRecord[] {
  const names = new Set(cause.signatures.map((s) => s.signature));
  return records
    .filter(
      (r) => r.target.side === cause.process && signaturesOf(r.target.outcome).some((s) => names.has(s)),
    )
    .sort((a, b) => a.iteration - b.iteration);
}
