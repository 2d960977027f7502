import { parseRepoConfigText } from '../../../src/config/repo-config-parse.js';
import { defaultThresholds } from '../../../src/config/thresholds.schema.js';
import { conclusionFor } from '../../../src/pipeline/output/conclusion.js';
import type { CheckRunState } from '../../support/github-standin/model.js';
import { testRepoConfig } from './harness.js';
import { type ScriptedOutcome, scriptedReport } from './scripted-validate.js';

/** The operations a pull-request run makes, for `standin.expect(...)`. */
export const runOperations = [
  'apps/create-installation-access-token',
  'repos/get-collaborator-permission-level',
  'checks/create',
  'checks/update',
  'checks/list-for-ref',
  'pulls/list',
  'repos/get-content',
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  // A stability regression: whether the pull request has the commits to offer the Bisect button.
  'pulls/get',
] as const;

/** The calls a release gate makes. */
export const releaseOperations = [
  'apps/create-installation-access-token',
  'repos/get-commit',
  'repos/list-releases',
  'repos/get-content',
  'checks/create',
  'checks/update',
  // A check is looked up by external_id before it is created; open pull requests are reconciled.
  'checks/list-for-ref',
  'pulls/list',
] as const;

/** The statuses a check run went through, consecutive repeats folded: `queued → in_progress → completed:success`. */
export function lifecycle(check: CheckRunState): string {
  const steps = check.history.map((h) => (h.status === 'completed' ? `completed:${h.conclusion}` : h.status));
  return steps.filter((step, i) => step !== steps[i - 1]).join(' → ');
}

/** Replaces what changes from run to run (commit ids, times, temporary paths, durations) with placeholders. */
export function normalise(text: string, names: Readonly<Record<string, string>> = {}): string {
  let out = text;
  for (const [placeholder, value] of Object.entries(names)) {
    // The full id, and any abbreviation of it (7 to 39 hex digits).
    out = out.replace(new RegExp(`\\b${value.slice(0, 7)}[0-9a-f]*\\b`, 'g'), `<${placeholder}>`);
  }
  return out
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/\/tmp\/[\w./-]+/g, '<tmp>')
    .replace(/\b[0-9a-f]{40}\b/g, '<sha>');
}

/**
 * The outline of a report: its marker, the headline up to its first colon, and the stability and
 * throughput sections; the figures come from real storms and differ run to run, so they are left out.
 */
export function outline(markdown: string): string {
  const lines = markdown.split('\n');
  return [
    lines[0],
    lines[1]?.split(':')[0],
    ...lines.filter((line) => /^#### (Stability|Throughput)/.test(line)).map((line) => line.split(':')[0]),
  ].join('\n');
}

/**
 * The conclusion of a run under the test config on a change without a signal bug (the help-text
 * patch, empty commits): a cell capped at SIGSTORM_ITERATIONS_CAP (rounded up to one batch, 10 per
 * side) finds nothing, far too few clean iterations to prove a rise below the default tolerance
 * (about 600 per side, docs/validate.md), so stability is inconclusive; with no throughput runs,
 * throughput is too. The config's policy says what that concludes (`neutral` by default).
 */
export const shortRunConclusion = (() => {
  const parsed = parseRepoConfigText(testRepoConfig);
  if (!parsed.ok) throw new Error('the test repository config is invalid');
  const { config } = parsed;
  if (
    config.throughputRuns !== 0 ||
    config.release.throughputRuns !== 0 ||
    config.thresholds.stability.tolerance.plain !== defaultThresholds.stability.tolerance.plain
  ) {
    throw new Error('the test config no longer makes short runs inconclusive: expect a specific verdict');
  }
  return conclusionFor({ stability: 'inconclusive', throughput: 'inconclusive' }, config.policy);
})();

/** The check conclusion of a scripted validation's report under the test config's policy. */
export function scriptedConclusion(outcome: ScriptedOutcome): string {
  const parsed = parseRepoConfigText(testRepoConfig);
  if (!parsed.ok) throw new Error('the test repository config is invalid');
  return conclusionFor(scriptedReport(outcome).verdict, parsed.config.policy);
}
