// The iteration prior (src/pipeline/schedule/iteration-prior.ts) against measured iterations, and
// the first ETA a cold base's validation prints with it. Nothing is stormed: it reads the base-results
// records a run stored (by default those of `npx tsx bench/whole-validation.ts`) and prices the
// default `pr` request with the functions the cold-base notice uses (src/pipeline/cold-base.ts).
// Run: npx tsx bench/iteration-prior.ts [--records DIR] [--lanes N] [--actual SECONDS].
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { VariantName } from '../src/compile/variants.js';
import { defaultThresholds } from '../src/config/thresholds.schema.js';
import { noBaseCache } from '../src/pipeline/base-cache.js';
import { coldBase, coldBaseMode, coldStartExpectedMs } from '../src/pipeline/cold-base.js';
import { decidedGatePairs } from '../src/pipeline/measure-throughput.js';
import { planWorkloads } from '../src/pipeline/request/plan-workloads.js';
import { profiles } from '../src/pipeline/request/profiles.js';
import { type CellPlan, startingLooks } from '../src/pipeline/schedule/cell-run.js';
import { harnessMs, iterationPriorMs } from '../src/pipeline/schedule/iteration-prior.js';
import { planLooks, stormExpectedMs } from '../src/pipeline/schedule/look-budget.js';
import {
  expectedLeftMs,
  expectedPairs,
  splitBudget,
  throughputPairPriorMs,
} from '../src/pipeline/schedule/validation-budget.js';
import { warmShare } from '../src/pipeline/warm-base.js';
import { readRecords } from '../src/storm/jsonl.js';
import type { StormWorkload } from '../src/workload/schema.js';
import { benchArgs } from './bench-args.js';

export interface PriorRow {
  readonly workload: string;
  readonly variant: VariantName;
  /** The prior less the harness (a record's duration leaves the harness out), ms. */
  readonly priorMs: number;
  /** Mean duration of the records of the cell, ms; null: none stored. */
  readonly measuredMs: number | null;
  readonly records: number;
}

export interface EtaRow {
  readonly rates: string;
  readonly mode: string;
  readonly warmMs: number;
  /** Of the ETA past the warm-up: the storms (head's looks and the pool's) and throughput, ms. */
  readonly stormsMs: number;
  readonly throughputMs: number;
  readonly etaMs: number;
}

/** Mean duration of the stored records per workload and variant (every file of the directory). */
async function measured(dir: string): Promise<Map<string, number[]>> {
  const by = new Map<string, number[]>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.jsonl'))) {
    for (const r of await readRecords(join(dir, file))) {
      const key = `${r.workload}/${r.variant}`;
      by.set(key, [...(by.get(key) ?? []), r.durationMs]);
    }
  }
  return by;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The first ETA of the default `pr` request on a cold base, each cell at `rateOf` (one lane's, ms). */
function firstEta(
  storms: readonly StormWorkload[],
  throughput: { seconds: number; warmup: number; runs: number },
  lanes: number,
  rateOf: (w: StormWorkload, v: VariantName) => number,
): Omit<EtaRow, 'rates'> {
  const profile = profiles.pr;
  const thresholds = defaultThresholds;
  const cells: CellPlan[] = profile.variants
    .flatMap((variant) =>
      storms.map((workload) => ({ workload, workloadRef: workload.name, variant, baseCache: noBaseCache })),
    )
    .map((c, index) => ({ ...c, index, priorIterationMs: rateOf(c.workload, c.variant) / lanes }));
  // As src/pipeline/validate.ts splits and prices the budget before any throughput pair ran.
  const wholeMs = profile.budgetSeconds * 1000;
  const pairs = throughput.runs;
  const pairMs = throughputPairPriorMs(throughput);
  const split = splitBudget({ budgetMs: wholeMs, pairs, pairMs, floorPairs: decidedGatePairs });
  const afterMs = (stormExpectedMs: number) =>
    expectedLeftMs({
      stormExpectedMs,
      leftMs: wholeMs,
      pairs,
      pairMs,
      reservedPairs: split.reservedPairs,
      pairsRun: (budget) => expectedPairs({ budget, spread: null, thresholds: thresholds.throughput }),
    });
  const cold = coldBase(cells, { thresholds, lanes, stormMs: split.stormMs });
  const mode = coldBaseMode(cold, profile.failFast);
  if (mode === 'cached') throw new Error('a base without a cache cannot be cached');
  const { share } = warmShare(thresholds, lanes);
  const etaMs = coldStartExpectedMs(mode, cold, share, {
    cells,
    thresholds,
    stormMs: split.stormMs,
    afterMs,
  });
  // The split of the part after the warm-up, as coldStartExpectedMs prices it.
  const start = startingLooks(cells, thresholds, { warmedTo: share });
  const stormsMs = stormExpectedMs(planLooks(start.cells, split.stormMs, start.pool));
  return { mode, warmMs: cold.warmMs, stormsMs, throughputMs: afterMs(stormsMs) - stormsMs, etaMs };
}

export async function iterationPriorBench(o: { records: string; lanes: number }) {
  const plan = await planWorkloads(undefined, profiles.pr.workloadSet);
  if (!plan.throughput) throw new Error('no throughput workload bundled');
  const storms = plan.storms.map((s) => s.workload);
  const byCell = await measured(o.records);
  const rows: PriorRow[] = storms.flatMap((w) =>
    profiles.pr.variants.map((variant) => {
      const ms = byCell.get(`${w.name}/${variant}`) ?? [];
      return {
        workload: w.name,
        variant,
        priorMs: iterationPriorMs(w, variant) - harnessMs,
        measuredMs: ms.length > 0 ? mean(ms) : null,
        records: ms.length,
      };
    }),
  );
  // The rates the first ETA is priced at: the flat prior this replaced (plain 400, ASan 800 ms), the
  // definition's, and the records' own (plus the harness): what the ETA would be with a perfect prior.
  const flat: Record<VariantName, number> = { plain: 400, asan: 800, tsan: 2400 };
  const recordRate = (w: StormWorkload, v: VariantName) => {
    const ms = byCell.get(`${w.name}/${v}`);
    return ms && ms.length > 0 ? mean(ms) + harnessMs : iterationPriorMs(w, v);
  };
  const eta: EtaRow[] = [
    { rates: 'flat per variant (before)', ...firstEta(storms, plan.throughput, o.lanes, (_w, v) => flat[v]) },
    { rates: 'workload definition (now)', ...firstEta(storms, plan.throughput, o.lanes, iterationPriorMs) },
    { rates: "the records' own means", ...firstEta(storms, plan.throughput, o.lanes, recordRate) },
  ];
  return { rows, eta };
}

const pct = (r: number) => `${r >= 1 ? '+' : ''}${Math.round((r - 1) * 100)}%`;

export function formatIterationPrior(
  result: Awaited<ReturnType<typeof iterationPriorBench>>,
  actualSeconds: number,
  iterations = 31,
): string {
  const lines = ['| workload | plain prior / measured, ms | ASan prior / measured, ms | prior / measured |'];
  lines.push('| --- | --- | --- | --- |');
  const workloads = [...new Set(result.rows.map((r) => r.workload))];
  let prior = 0;
  let seen = 0;
  for (const w of workloads) {
    const of = result.rows.filter((r) => r.workload === w);
    const cell = (v: VariantName) => {
      const r = of.find((x) => x.variant === v);
      return r ? `${Math.round(r.priorMs)} / ${r.measuredMs === null ? '–' : Math.round(r.measuredMs)}` : '–';
    };
    const both = of.filter((r) => r.measuredMs !== null);
    const p = both.reduce((s, r) => s + r.priorMs, 0);
    const m = both.reduce((s, r) => s + (r.measuredMs as number), 0);
    prior += p * iterations;
    seen += m * iterations;
    lines.push(`| \`${w}\` | ${cell('plain')} | ${cell('asan')} | ${m > 0 ? pct(p / m) : '–'} |`);
  }
  const cells = result.rows.filter((r) => r.measuredMs !== null).length;
  lines.push(
    '',
    `${cells} cells × ${iterations} iterations: prior ${Math.round(prior / 1000)} s, measured ${Math.round(seen / 1000)} s (${pct(prior / seen)})`,
    '',
    '| rates | mode | warm-up + storms + throughput priced | first ETA | vs actual |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const e of result.eta) {
    lines.push(
      `| ${e.rates} | ${e.mode} | ${[e.warmMs, e.stormsMs, e.throughputMs].map((ms) => Math.round(ms / 1000)).join(' + ')} s | ${Math.round(e.etaMs / 1000)} s (about ${Math.round(e.etaMs / 60_000)} min) | ${pct(e.etaMs / 1000 / actualSeconds)} of ${actualSeconds} s |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = benchArgs(
    {
      records: {
        type: 'string',
        default: join(homedir(), '.cache/sigstorm-bench-whole-validation/base-results'),
      },
      lanes: { type: 'string', default: '1' },
      actual: { type: 'string', default: '862' },
    },
    'usage: npx tsx bench/iteration-prior.ts [--records DIR] [--lanes N] [--actual SECONDS]\n',
  );
  const result = await iterationPriorBench({ records: args.records, lanes: Number(args.lanes) });
  process.stdout.write(`${formatIterationPrior(result, Number(args.actual))}\n`);
}
