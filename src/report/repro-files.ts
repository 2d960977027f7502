import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CauseEntry, SignatureEntry } from '../compare/comparison.schema.js';
import { bundledWorkloadsDir } from '../util/paths.js';
import { failingCauses } from './failing-causes.js';
import type { Report } from './report.schema.js';

/** One failing signature's files in the repro bundle (pipeline/output/write-repro-bundle.ts). */
export interface ReproFiles {
  readonly cause: CauseEntry;
  readonly entry: SignatureEntry;
  /** `evidence/NN-….txt`: its full evidence. */
  readonly evidence: string;
  /**
   * `repro-NN-….sh`: the shell script that reruns its iteration without sigstorm; null for a workload
   * only the validating machine has (a file that is not bundled), which a script cannot name.
   */
  readonly script: string | null;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/** The signature entries a bundle lists under a cause, in report order. */
export function bundleEntriesOf(report: Report, c: CauseEntry): SignatureEntry[] {
  const names = new Set(c.signatures.map((s) => s.signature));
  return report.stability.signatures.filter(
    (e) =>
      e.workload === c.workload &&
      e.variant === c.variant &&
      e.side === c.side &&
      e.role === c.role &&
      names.has(e.signature),
  );
}

/**
 * Every file name the repro bundle gives a failing signature, numbered in one sequence over the
 * failing causes: the bundle writes them, the report names them, so a comment links the script the
 * bundle holds.
 */
export function reproFiles(report: Report, workloadsDir: string = bundledWorkloadsDir): ReproFiles[] {
  const out: ReproFiles[] = [];
  let n = 0;
  for (const cause of failingCauses(report)) {
    const bundled = existsSync(join(workloadsDir, `${cause.workload}.yaml`));
    for (const entry of bundleEntriesOf(report, cause)) {
      n++;
      const nn = String(n).padStart(2, '0');
      out.push({
        cause,
        entry,
        evidence: `evidence/${nn}-${slug(entry.signature)}.txt`,
        script: bundled ? `repro-${nn}-${slug(`${cause.workload}-${cause.variant}`)}.sh` : null,
      });
    }
  }
  return out;
}
