// Error rates and sample sizes of the sequential stability test, by simulation of failure counts at
// known rates (statistics only; storms are never simulated). Run: npx tsx bench/sequential-simulation.ts
// [--runs N] [--seed S]. The integrator's bench/run.ts can call sequentialSimulationBench().
import { pathToFileURL } from 'node:url';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { type SequentialSettings, sequentialSettings } from '../src/compare/sequential/settings.js';
import { compareStability } from '../src/compare/stability/compare-stability.js';
import { fisherOneSided } from '../src/compare/stats/fisher.js';
import { defaultThresholds } from '../src/config/thresholds.schema.js';
import { cell } from '../test/support/report-fixtures.js';
import { type Draw, seededBinomial, simulateCell } from '../test/support/simulate-cell.js';
import {
  defaultFamily,
  type FamilyCell,
  prBudgetIterations,
  simulateFamily,
  warmBaseCost,
} from '../test/support/simulate-family.js';

export interface SimulationFigure {
  readonly scenario: string;
  readonly base: number;
  readonly head: number;
  readonly cells: number;
  readonly runs: number;
  /** Share of runs per outcome (sequential stop reason, or final verdict for `verdict` rows). */
  readonly shares: Record<string, number>;
  /** Judged iterations per side at the stop: mean and 95th percentile. */
  readonly meanIterations: number;
  readonly p95Iterations: number;
}

/** A whole pr-profile validation (28 cells, pooled neutral statement), simulated. */
export interface PooledFigure {
  readonly scenario: string;
  readonly runs: number;
  /** Share of runs per stability verdict. */
  readonly shares: Record<string, number>;
  /** Mean iterations per side: every cell together, a quiet cell, the cell that differs. */
  readonly meanTotal: number;
  readonly meanQuiet: number;
  readonly meanOdd: number;
  /** Share of runs neutral within the pr budget on 2 idle cores (prBudgetIterations, warmBaseCost). */
  readonly neutralInBudget: number;
}

export interface SequentialSimulationResult {
  readonly settings: Omit<SequentialSettings, 'familySize'>;
  readonly figures: SimulationFigure[];
  readonly pooled: PooledFigure[];
  /** Iterations per side a fixed-size Fisher test needs for the same power at base 0%, head 30%, 6 cells. */
  readonly fixedDesignIterations: number;
  /** Iterations per side a fixed-size test needs for alpha and beta at the designed effect (base 10%, odds ratio 2). */
  readonly fixedDesignAtDesignedEffect: number;
  readonly elapsedMs: number;
}

function sequentialRow(
  scenario: string,
  rates: { base: number; head: number },
  settings: SequentialSettings,
  runs: number,
  draw: Draw,
): SimulationFigure {
  const counts: Record<string, number> = {};
  const sizes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { decision } = simulateCell(rates, settings, draw);
    const key = decision.reason ?? 'open';
    counts[key] = (counts[key] ?? 0) + 1;
    sizes.push(decision.iterations.head);
  }
  sizes.sort((a, b) => a - b);
  const shares = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / runs]));
  return {
    scenario,
    ...rates,
    cells: settings.familySize,
    runs,
    shares,
    meanIterations: sizes.reduce((a, b) => a + b, 0) / runs,
    p95Iterations: sizes[Math.floor(0.95 * (runs - 1))] ?? 0,
  };
}

function verdictRow(scenario: string, rate: number, runs: number, draw: Draw): SimulationFigure {
  const t = defaultThresholds;
  const settings = sequentialSettings(t, 'plain', 1);
  const counts: Record<string, number> = {};
  const sizes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { batches, decision } = simulateCell({ base: rate, head: rate }, settings, draw);
    const { verdict } = compareStability([cell({ workload: 'w', variant: 'plain', batches })], t);
    counts[verdict] = (counts[verdict] ?? 0) + 1;
    sizes.push(decision.iterations.head);
  }
  sizes.sort((a, b) => a - b);
  return {
    scenario,
    base: rate,
    head: rate,
    cells: 1,
    runs,
    shares: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / runs])),
    meanIterations: sizes.reduce((a, b) => a + b, 0) / runs,
    p95Iterations: sizes[Math.floor(0.95 * (runs - 1))] ?? 0,
  };
}

function pooledRow(
  scenario: string,
  family: readonly FamilyCell[],
  odd: number,
  runs: number,
  draw: Draw,
): PooledFigure {
  const counts: Record<string, number> = {};
  let total = 0;
  let quiet = 0;
  let oddN = 0;
  let inBudget = 0;
  const quietIndex = odd === 0 ? 1 : 0;
  for (let i = 0; i < runs; i++) {
    const s = simulateFamily(family, defaultThresholds, 'pooled', draw, { maxBatches: 1500 });
    counts[s.stability.verdict] = (counts[s.stability.verdict] ?? 0) + 1;
    const cost = warmBaseCost(s.iterations, (c) => (family[c]?.base ?? 0) > 0);
    if (s.stability.verdict === 'neutral' && cost <= prBudgetIterations) inBudget++;
    total += s.iterations.reduce((a, b) => a + b, 0);
    quiet += s.iterations[quietIndex] ?? 0;
    oddN += s.iterations[odd] ?? 0;
  }
  return {
    scenario,
    runs,
    shares: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / runs])),
    meanTotal: total / runs,
    meanQuiet: quiet / runs,
    meanOdd: oddN / runs,
    neutralInBudget: inBudget / runs,
  };
}

function pooledRows(runs: number, draw: Draw): PooledFigure[] {
  const odd = 20;
  const one = (c: FamilyCell) => defaultFamily().map((x, i) => (i === odd ? c : x));
  // server-sighup in plain (11) and ASan (25): where patches/noisy-cell.patch hangs 2% of exits.
  const sighup = (rate: number) =>
    defaultFamily().map((x, i) => (i === 11 || i === 25 ? { ...x, base: rate, head: rate } : x));
  const row = (label: string, family: FamilyCell[]) => pooledRow(label, family, odd, runs, draw);
  return [
    row('clean pull request', defaultFamily()),
    row('one noisy ASan cell, 2% on both sides', one({ variant: 'asan', base: 0.02, head: 0.02 })),
    pooledRow(
      'server-sighup plain + ASan, 2% on both sides (noisy-cell.patch)',
      sighup(0.02),
      25,
      runs,
      draw,
    ),
    row('every cell 1% on both sides (false alarm = regression)', defaultFamily({ base: 0.01, head: 0.01 })),
    row('one cell 0% → 10% (miss = neutral)', one({ variant: 'asan', base: 0, head: 0.1 })),
    row('one cell 2% → 12% (miss = neutral)', one({ variant: 'asan', base: 0.02, head: 0.12 })),
    row('one cell 0% → 5% (not a designed effect)', one({ variant: 'asan', base: 0, head: 0.05 })),
    row(
      "every cell worse by its variant's tolerance (miss = neutral)",
      defaultFamily().map((c) => ({ ...c, head: defaultThresholds.stability.tolerance[c.variant] })),
    ),
    row('one cell 0% → 30% (clear regression)', one({ variant: 'asan', base: 0, head: 0.3 })),
  ];
}

/** Smallest n per side at which a one-sided Fisher test at alpha/cells has power 1 − beta for 0% vs `head`. */
function fixedDesign(head: number, alpha: number, beta: number): number {
  for (let n = 2; n <= 5000; n++) {
    // Base has no failures; head's count x is binomial(n, head); reject when Fisher's p < alpha.
    let power = 0;
    let pmf = (1 - head) ** n;
    for (let x = 0; x <= n; x++) {
      if (x > 0) pmf *= ((n - x + 1) / x) * (head / (1 - head));
      if (fisherOneSided({ n, failures: 0 }, { n, failures: x }).worse < alpha) power += pmf;
    }
    if (power >= 1 - beta) return n;
  }
  return Number.NaN;
}

/** Two-sample fixed size per side, normal approximation: (z_a + z_b)² (p1 q1 + p2 q2) / (p2 − p1)². */
function normalFixedDesign(p1: number, p2: number, alpha: number, beta: number): number {
  const z = normalQuantile(1 - alpha, 0, 1) + normalQuantile(1 - beta, 0, 1);
  return Math.ceil((z * z * (p1 * (1 - p1) + p2 * (1 - p2))) / (p2 - p1) ** 2);
}

export function sequentialSimulationBench(
  options: { runs?: number; seed?: number } = {},
): SequentialSimulationResult {
  const runs = Math.min(20_000, Math.max(100, Math.floor(options.runs ?? 2000)));
  const draw = seededBinomial(options.seed ?? 2024);
  const started = Date.now();
  const base = sequentialSettings(defaultThresholds, 'plain', 1);
  const s = (over: Partial<SequentialSettings>) => ({ ...base, ...over });
  const uncapped = s({ maxIterationsPerSide: 1_000_000 });
  const odds2 = (p: number) => (2 * p) / (1 + p);
  const figures = [
    ...[0, 0.005, 0.02, 0.1, 0.3, 0.9, 1].map((p) =>
      sequentialRow('equal rates (false alarm = regression)', { base: p, head: p }, base, runs, draw),
    ),
    sequentialRow(
      'equal rates, 6 cells (alpha split)',
      { base: 0.1, head: 0.1 },
      s({ familySize: 6 }),
      runs,
      draw,
    ),
    sequentialRow(
      'odds ratio 2, no cap (miss = equivalent)',
      { base: 0.1, head: odds2(0.1) },
      uncapped,
      runs,
      draw,
    ),
    sequentialRow(
      'odds ratio 2, no cap (miss = equivalent)',
      { base: 0.3, head: odds2(0.3) },
      uncapped,
      runs,
      draw,
    ),
    sequentialRow(
      'base 0, head at tolerance (miss = equivalent)',
      { base: 0, head: base.tolerance },
      base,
      runs,
      draw,
    ),
    sequentialRow('clear regression, 6 cells', { base: 0, head: 0.3 }, s({ familySize: 6 }), runs, draw),
    sequentialRow(
      'clear regression (ASan-like), 6 cells',
      { base: 0, head: 0.75 },
      s({ familySize: 6 }),
      runs,
      draw,
    ),
    sequentialRow('clear improvement, 6 cells', { base: 0.3, head: 0 }, s({ familySize: 6 }), runs, draw),
    verdictRow(
      'whole verdict incl. cap + Fisher (false alarm = regression)',
      0.005,
      Math.min(runs, 1000),
      draw,
    ),
    verdictRow(
      'whole verdict incl. cap + Fisher (false alarm = regression)',
      0.03,
      Math.min(runs, 1000),
      draw,
    ),
  ];
  const { familySize: _, ...settings } = base;
  const pooled = pooledRows(Math.max(20, Math.floor(runs / 10)), draw);
  return {
    settings,
    figures,
    pooled,
    fixedDesignIterations: fixedDesign(0.3, base.alpha / 6, base.beta),
    fixedDesignAtDesignedEffect: normalFixedDesign(0.1, odds2(0.1), base.alpha, base.beta),
    elapsedMs: Date.now() - started,
  };
}

const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(1)}%`;

export function formatSequentialSimulation(r: SequentialSimulationResult): string {
  const s = r.settings;
  const lines = [
    'Sequential stability test, simulated failure counts (seeded; statistics only)',
    `settings: alpha ${s.alpha} (split over cells), beta ${s.beta}, odds ratio ${s.oddsRatio}, tolerance ${pct(
      s.tolerance,
    )}, cap ${s.maxIterationsPerSide}/side, batches of 10 per side`,
    '',
    'scenario                                                  base    head   cells  runs   regr.   impr.  equiv.    cap  mean n  p95 n',
  ];
  for (const f of r.figures) {
    const sh = f.shares;
    const reg = sh.regression ?? 0;
    const imp = sh.improvement ?? 0;
    const eq = (sh.equivalent ?? 0) + (sh.neutral ?? 0);
    const cap = (sh.cap ?? 0) + (sh.inconclusive ?? 0);
    lines.push(
      [
        f.scenario.padEnd(56),
        pct(f.base).padStart(6),
        pct(f.head).padStart(7),
        String(f.cells).padStart(6),
        String(f.runs).padStart(5),
        pct(reg).padStart(7),
        pct(imp).padStart(7),
        pct(eq).padStart(7),
        pct(cap).padStart(6),
        f.meanIterations.toFixed(0).padStart(7),
        String(f.p95Iterations).padStart(6),
      ].join(' '),
    );
  }
  lines.push(
    '',
    'pr profile, pooled neutral statement: 28 cells (14 plain, 14 asan), batches of 10, at most 1,500 batches',
    `scenario                                                  runs  regr.  neutral  inconcl.  n/side (all cells)  quiet cell  odd cell  neutral within ${prBudgetIterations}`,
  );
  for (const p of r.pooled) {
    lines.push(
      [
        p.scenario.padEnd(56),
        String(p.runs).padStart(5),
        pct(p.shares.regression).padStart(6),
        pct(p.shares.neutral).padStart(8),
        pct(p.shares.inconclusive).padStart(9),
        p.meanTotal.toFixed(0).padStart(19),
        p.meanQuiet.toFixed(0).padStart(11),
        p.meanOdd.toFixed(0).padStart(9),
        pct(p.neutralInBudget).padStart(10),
      ].join(' '),
    );
  }
  lines.push(
    '',
    `without sequential stopping every cell runs the cap: ${s.maxIterationsPerSide} iterations per side`,
    `fixed-size design for alpha and beta at the designed effect (base 10%, odds ratio 2; normal approximation): ${r.fixedDesignAtDesignedEffect} per side`,
    `fixed-size design tailored to the clear regression (base 0%, head 30%, 6 cells, Fisher at alpha/6, power 1 - beta): ${r.fixedDesignIterations} per side`,
    `('whole verdict' rows: equiv. = neutral, cap = inconclusive.) Measured in ${(r.elapsedMs / 1000).toFixed(1)} s.`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  process.stdout.write(
    `${formatSequentialSimulation(sequentialSimulationBench({ runs: arg('--runs'), seed: arg('--seed') }))}\n`,
  );
}
