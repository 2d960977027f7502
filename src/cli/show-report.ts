import { copyFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RepoConfig } from '../config/repo-config.schema.js';
import { conclusionFor } from '../pipeline/output/conclusion.js';
import { writeReproBundle } from '../pipeline/output/write-repro-bundle.js';
import type { ValidateResult } from '../pipeline/request/contract.js';
import type { Report } from '../report/report.schema.js';
import { toSarif } from '../report/sarif.js';
import { renderTerminal } from '../report/terminal.js';
import { exitCodes } from './exit-codes.js';

export interface ShowFlags {
  readonly json: boolean;
  readonly jsonFile?: string | undefined;
  readonly markdownFile?: string | undefined;
  readonly failOnRegression: boolean;
  /** SARIF 2.1.0 of the findings, for code scanning. */
  readonly sarif?: string | undefined;
  /** A repro bundle of the failing iterations. */
  readonly reproDir?: string | undefined;
}

/**
 * A finished report as `validate` and `merge` both hand it over: copies to the requested files, the
 * report on stdout (text or JSON), where the files are and the conclusion on stderr; the exit status.
 */
export async function showReport(
  result: Pick<ValidateResult, 'report' | 'markdown' | 'outDir' | 'verdict'>,
  flags: ShowFlags,
  policy: RepoConfig['policy'],
  show: (report: Report, markdown: string) => string = (report) => renderTerminal(report),
): Promise<number> {
  if (flags.jsonFile) await copyFile(join(result.outDir, 'report.json'), flags.jsonFile);
  if (flags.markdownFile) await copyFile(join(result.outDir, 'report.md'), flags.markdownFile);
  process.stdout.write(
    flags.json ? `${JSON.stringify(result.report, null, 2)}\n` : show(result.report, result.markdown),
  );
  process.stderr.write(
    `\nFiles: ${join(result.outDir, 'report.md')}, ${join(result.outDir, 'report.json')}, ${join(result.outDir, 'iterations')}/\n`,
  );
  if (flags.sarif) await writeFile(flags.sarif, `${JSON.stringify(toSarif(result.report), null, 2)}\n`);
  if (flags.reproDir) {
    const files = await writeReproBundle(resolve(flags.reproDir), result.report, result.outDir);
    process.stderr.write(
      files.length > 0
        ? `Repro bundle: ${resolve(flags.reproDir)}/ (${files.length} files)\n`
        : 'Repro bundle: none (nothing failed)\n',
    );
  }
  const conclusion = conclusionFor(result.verdict, policy);
  process.stderr.write(`Conclusion under the policy: ${conclusion}\n`);
  return flags.failOnRegression && conclusion === 'failure' ? exitCodes.regression : exitCodes.ok;
}
