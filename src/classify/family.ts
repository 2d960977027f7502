import { type Outcome, unhandledKind } from './outcome.js';

/** The family a signature belongs to: `tool: report kind` for sanitizers, the signal for crashes. */
export function familyOf(outcome: Outcome): string | null {
  switch (outcome.kind) {
    case 'sanitizer':
      return `${outcome.tool}: ${outcome.reportKind}`;
    case 'crash':
      return outcome.signal;
    case 'bad-exit':
      return `exit ${outcome.exitCode}`;
    case 'bad-output':
    case 'stuck-server':
    case 'port-held':
      return outcome.kind;
    case 'hang':
      return 'hang';
    case 'clean':
    case 'harness-error':
      return null;
    default:
      return unhandledKind(outcome);
  }
}

/** Signature → family of every signature one outcome carries (each sanitizer finding included). */
export function familiesOfOutcome(outcome: Outcome): [signature: string, family: string][] {
  const families: [string, string][] = [];
  switch (outcome.kind) {
    case 'clean':
    case 'harness-error':
      return families;
    case 'crash':
    case 'bad-exit':
    case 'bad-output':
    case 'stuck-server':
    case 'port-held': {
      const family = familyOf(outcome);
      if (family) families.push([outcome.signature, family]);
      return families;
    }
    case 'sanitizer':
    case 'hang': {
      const family = familyOf(outcome);
      if (family) families.push([outcome.signature, family]);
      for (const f of outcome.findings ?? []) families.push([f.signature, `${f.tool}: ${f.reportKind}`]);
      return families;
    }
    default:
      return unhandledKind(outcome);
  }
}

/** A sanitizer outcome whose every report belongs to one of `noisyFamilies` (case-insensitive). */
export function isNoiseOnly(outcome: Outcome, noisyFamilies: readonly string[]): boolean {
  if (outcome.kind !== 'sanitizer' || noisyFamilies.length === 0) return false;
  const noisy = new Set(noisyFamilies.map((f) => f.toLowerCase()));
  const reports = outcome.findings?.length ? outcome.findings : [outcome];
  return reports.every((r) => noisy.has(`${r.tool}: ${r.reportKind}`.toLowerCase()));
}
