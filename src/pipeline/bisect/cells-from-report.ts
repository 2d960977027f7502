import { readFile } from 'node:fs/promises';
import type { VariantName } from '../../compile/variants.js';
import { Report } from '../../report/report.schema.js';
import { UsageError } from '../../util/errors.js';

/** The cells a validation found regressed, and by how much each variant's failure rate rose. */
export interface RegressedCells {
  readonly workloads: string[];
  readonly variants: VariantName[];
  readonly observedRise: Partial<Record<VariantName, number>>;
}

/** Reads a report.json (`validate --json-file`) and takes its cells whose verdict is a regression. */
export async function cellsFromReport(file: string): Promise<RegressedCells> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new UsageError(`Cannot read the report ${file}`, {
      cause: error,
      hint: 'Give the report.json a validation wrote (validate --json-file FILE, or report.json in its output folder).',
    });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON`, {
      cause: error,
      hint: 'Give the report.json a validation wrote.',
    });
  }
  const parsed = Report.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${file} is not a sigstorm report`, {
      details: parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('\n'),
      hint: 'Give the report.json a validation wrote (schemas/report.schema.json describes it).',
    });
  }
  const cells = regressedCellsOf(parsed.data);
  if (!cells) {
    throw new UsageError(`${file} shows no regressed cell: there is nothing to bisect`, {
      hint: 'Bisect a validation whose stability verdict is a regression, or name the cells with --workloads and --variants.',
    });
  }
  return cells;
}

/** The cells of a report whose verdict is a regression (undefined: none), with each variant's largest rise. */
export function regressedCellsOf(report: Pick<Report, 'stability'>): RegressedCells | undefined {
  const regressed = report.stability.cells.filter((c) => c.verdict === 'regression');
  if (regressed.length === 0) return undefined;
  const observedRise: Partial<Record<VariantName, number>> = {};
  for (const c of regressed) {
    const rise = c.difference?.estimate;
    if (rise !== undefined) observedRise[c.variant] = Math.max(observedRise[c.variant] ?? 0, rise);
  }
  return {
    workloads: [...new Set(regressed.map((c) => c.workload))],
    variants: [...new Set(regressed.map((c) => c.variant))],
    observedRise,
  };
}
