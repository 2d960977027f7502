import { appendFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Validate } from '../../../src/pipeline/request/contract.js';
import { renderMarkdown } from '../../../src/report/markdown/render-markdown.js';
import type { Report } from '../../../src/report/report.schema.js';
import { SigstormError } from '../../../src/util/errors.js';
import {
  improvementScenario,
  inconclusiveScenario,
  neutralScenario,
  regressionScenario,
  reportOf,
} from '../../support/report-fixtures.js';

/**
 * A validation with a scripted outcome, for the App tests where the storm is not what they test
 * (faults, commands, approvals, restarts, queues): the report of a fixed scenario after `ms`, so a
 * check's conclusion is known exactly. Every call is logged (one JSON line) for the test to count.
 * The storms themselves are tested in test/storm/ and by the App's end-to-end tests.
 */
export const ValidationScript = z.object({
  /** The scenario of test/support/report-fixtures.ts whose report every validation returns. */
  outcome: z.enum(['neutral', 'regression', 'improvement', 'inconclusive']),
  /** Per head commit (the request's `head.ref`): another outcome. */
  byHead: z.record(z.string(), z.enum(['neutral', 'regression', 'improvement', 'inconclusive'])).default({}),
  /**
   * How long a validation takes (a stop or cancel signal ends it sooner, as it does a storm); a list:
   * the n-th validation of the log (restarts of the App included) takes the n-th, the last one every
   * later validation.
   */
  ms: z.union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1).readonly()]),
  /** Where each validation's request is appended, one JSON line per call; its reports go next to it. */
  log: z.string(),
});
export type ValidationScript = z.input<typeof ValidationScript>;
export type ScriptedOutcome = ValidationScript['outcome'];

const scenarios = {
  neutral: neutralScenario,
  regression: regressionScenario,
  improvement: improvementScenario,
  inconclusive: inconclusiveScenario,
} as const;

/** The report a scripted validation with `outcome` returns. */
export function scriptedReport(outcome: ScriptedOutcome): Report {
  return reportOf(scenarios[outcome]());
}

export function scriptedValidate(input: ValidationScript): Validate {
  const script = ValidationScript.parse(input);
  return async (request, options = {}) => {
    const outcome = script.byHead[request.head.ref ?? ''] ?? script.outcome;
    await mkdir(dirname(script.log), { recursive: true });
    const before = (await readFile(script.log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    await appendFile(script.log, `${JSON.stringify({ head: request.head.ref, outcome })}\n`);
    const ms = Array.isArray(script.ms) ? (script.ms[before] ?? script.ms.at(-1) ?? 0) : script.ms;
    options.onProgress?.({
      phase: 'storm',
      message: `scripted: ${outcome}`,
      iterationsDone: 0,
      iterationsTotal: 1,
      cellsDone: 0,
      cellsTotal: 1,
    });
    try {
      await sleep(ms, undefined, { signal: options.signal });
    } catch {
      // As the pipeline ends on a stop signal.
      throw new SigstormError('Validation cancelled', { hint: 'Start it again to get a verdict.' });
    }
    const report = scriptedReport(outcome);
    const markdown = renderMarkdown(report);
    // Next to the log, in the test's directory: removed with it.
    const outDir = await mkdtemp(join(dirname(script.log), 'report-'));
    await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(outDir, 'report.md'), markdown);
    return { verdict: report.verdict, headline: report.headline, markdown, report, outDir };
  };
}
