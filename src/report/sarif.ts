import { sourceFindings } from './annotations.js';
import type { Report } from './report.schema.js';

/** What each finding kind's SARIF rule says; one rule per kind. */
const rules = {
  crash: {
    name: 'SignalStormCrash',
    text: 'The program crashed under a signal storm (a fatal signal or a fatal glibc marker) where base did not.',
    level: 'error',
  },
  sanitizer: {
    name: 'SignalStormSanitizerReport',
    text: 'A sanitizer (ASan, UBSan, TSan) reported an error under a signal storm that base never showed.',
    level: 'error',
  },
  hang: {
    name: 'SignalStormHang',
    text: 'The program did not exit under a signal storm where base did.',
    level: 'warning',
  },
} as const;

/**
 * SARIF 2.1.0 of a report for code scanning: one rule per finding kind, one result per failing
 * cause at its top frame in the tree (report/annotations.ts chooses them), paths relative to the tree.
 */
export function toSarif(report: Report): object {
  const findings = sourceFindings(report);
  const kinds = [...new Set(findings.map((f) => f.cause.kind))];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sigstorm',
            version: report.sigstormVersion,
            rules: kinds.map((kind) => ({
              id: `sigstorm/${kind}`,
              name: rules[kind].name,
              shortDescription: { text: rules[kind].text },
              defaultConfiguration: { level: rules[kind].level },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: `sigstorm/${f.cause.kind}`,
          ruleIndex: kinds.indexOf(f.cause.kind),
          level: rules[f.cause.kind].level,
          message: { text: `${f.title}: ${f.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.cause.location.path, uriBaseId: '%SRCROOT%' },
                region: { startLine: f.cause.location.line },
              },
              logicalLocations: [{ name: f.cause.location.function, kind: 'function' }],
            },
          ],
          partialFingerprints: {
            // Stable across runs of the same cause: cell, kind and its signatures.
            'sigstorm/v1': [
              f.cause.workload,
              f.cause.variant,
              f.cause.kind,
              f.cause.family ?? '',
              ...f.cause.signatures.map((s) => s.signature),
            ].join('|'),
          },
        })),
      },
    ],
  };
}
