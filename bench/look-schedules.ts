// When a cell's coarse bound (head at most stability.cellTolerance worse than base) is shown, under
// the cells' look schedule (cellLookShares in src/compare/neutral/looks.ts) and under the pool's
// (six equal later looks, which the cells used before): the share of simulated cells shown by each
// look, at persisting noise on both sides and at effects the bound must not pass (statistics only,
// the real bound).
// Run: npx tsx bench/look-schedules.ts [--runs N] [--seed S].
import { pathToFileURL } from 'node:url';
import { differenceBound } from '../src/compare/neutral/difference-bound.js';
import {
  cellLookShares,
  firstLookIterations,
  type Look,
  lookSchedule,
  poolLookShares,
} from '../src/compare/neutral/looks.js';
import { defaultThresholds } from '../src/config/thresholds.schema.js';
import { type Draw, seededBinomial } from '../test/support/simulate-cell.js';

export interface ScheduleFigure {
  readonly schedule: string;
  readonly rates: { readonly base: number; readonly head: number };
  /** Share of cells shown by each look (cumulative), and never. */
  readonly shownBy: readonly { readonly at: number; readonly share: number }[];
  readonly never: number;
}

const { cellTolerance: tolerance, beta } = defaultThresholds.stability;
const first = firstLookIterations(tolerance, beta);

function simulate(schedule: readonly Look[], rates: ScheduleFigure['rates'], runs: number, draw: Draw) {
  const shownAt = schedule.map(() => 0);
  for (let run = 0; run < runs; run++) {
    let n = 0;
    let base = 0;
    let head = 0;
    for (const [i, look] of schedule.entries()) {
      base += draw(look.at - n, rates.base);
      head += draw(look.at - n, rates.head);
      n = look.at;
      const bound = differenceBound({ n, failures: base }, { n, failures: head }, look.level);
      if (bound && bound.upper <= tolerance) {
        shownAt[i] = (shownAt[i] ?? 0) + 1;
        break;
      }
    }
  }
  let cumulative = 0;
  const shownBy = schedule.map((look, i) => {
    cumulative += shownAt[i] ?? 0;
    return { at: look.at, share: cumulative / runs };
  });
  return { shownBy, never: 1 - cumulative / runs };
}

export function lookSchedulesBench(options: { runs?: number; seed?: number } = {}): ScheduleFigure[] {
  const runs = options.runs ?? 4000;
  const draw = seededBinomial(options.seed ?? 2024);
  const scenarios = [
    { base: 0.02, head: 0.02 },
    { base: 0.03, head: 0.03 },
    { base: 0.01, head: 0.03 },
    // At the tolerance: shown at most beta of the time by either schedule (Bonferroni over looks).
    { base: 0.02, head: 0.02 + tolerance },
  ];
  const figures: ScheduleFigure[] = [];
  for (const rates of scenarios) {
    for (const [schedule, looks] of [
      ['cells (cellLookShares)', lookSchedule(cellLookShares, first, beta)],
      ['six equal later looks (poolLookShares)', lookSchedule(poolLookShares, first, beta)],
    ] as const) {
      figures.push({ schedule, rates, ...simulate(looks, rates, runs, draw) });
    }
  }
  return figures;
}

export function formatLookSchedules(figures: readonly ScheduleFigure[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `cell within ${pct(tolerance)} shown by look (cumulative share of simulated cells), beta ${beta}`,
  ];
  for (const f of figures) {
    const by = f.shownBy.map((s) => `${s.at}: ${pct(s.share)}`).join(', ');
    lines.push(
      `  base ${pct(f.rates.base)}, head ${pct(f.rates.head)}, ${f.schedule}: ${by}; never ${pct(f.never)}`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const runs = arg('--runs');
  const seed = arg('--seed');
  process.stdout.write(
    `${formatLookSchedules(lookSchedulesBench({ ...(runs ? { runs } : {}), ...(seed ? { seed } : {}) }))}\n`,
  );
}
