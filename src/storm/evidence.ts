import { type Outcome, unhandledKind } from '../classify/outcome.js';

/** One line that says what a failure is: the sanitizer headline, the signal, the exit code. */
export function excerptOf(outcome: Outcome): string {
  const first = outcome.stderrHead.find((l) => l.trim() !== '') ?? '';
  switch (outcome.kind) {
    case 'crash':
      return [outcome.signal ?? 'fatal marker', first].filter(Boolean).join(': ');
    case 'sanitizer':
      return sanitizerHeadline(outcome.report) ?? `${outcome.tool}: ${outcome.reportKind}`;
    case 'hang':
      return `no exit within ${outcome.timeoutMs} ms: ${outcome.signature}`;
    case 'bad-exit':
      return `exit ${outcome.exitCode}${first ? `: ${first}` : ''}`;
    case 'harness-error':
      return outcome.reason;
    case 'clean':
      return `exit ${outcome.exitCode}`;
  }
}

/** The report's own headline (`ERROR: AddressSanitizer: …`), without pid and addresses. */
function sanitizerHeadline(report: string): string | null {
  const line = report.split('\n').find((l) => /(ERROR|WARNING): \w+Sanitizer:|runtime error:/.test(l));
  if (!line) return null;
  return line
    .replace(/^==\d+==/, '')
    .replace(/0x[0-9a-f]+/gi, '0x…')
    .trim();
}

/** The full evidence kept for a signature's first occurrence. */
export function evidenceOf(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'sanitizer':
      return outcome.report;
    case 'hang':
      return outcome.backtrace;
    case 'clean':
    case 'crash':
    case 'bad-exit':
    case 'harness-error':
      return outcome.stderrHead.join('\n');
    default:
      return unhandledKind(outcome);
  }
}
