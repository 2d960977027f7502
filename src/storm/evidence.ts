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
    case 'bad-output':
      return outcome.problem;
    case 'stuck-server':
      return `the next client was not served (${followUpText(outcome.followUp)})`;
    case 'port-held':
      return `port ${outcome.port} still held after every process exited${holdersText(outcome.holders)}`;
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
    case 'bad-output':
      return `${outcome.problem}\n\nstdout began:\n${outcome.stdoutHead}`;
    case 'stuck-server':
      return [`follow-up client: ${followUpText(outcome.followUp)}`, ...outcome.followUp.stderrHead].join(
        '\n',
      );
    case 'port-held':
      return [
        `port ${outcome.port} after every process of the iteration exited: ${outcome.listening ? 'listening' : 'not listening'}, ${outcome.established} established`,
        `held by: ${outcome.holders.map((h) => `${h.pid} (${h.comm})`).join(', ') || 'no process found'}`,
      ].join('\n');
    case 'clean':
    case 'crash':
    case 'bad-exit':
    case 'harness-error':
      return outcome.stderrHead.join('\n');
    default:
      return unhandledKind(outcome);
  }
}

function followUpText(f: { exitCode: number | null; signal: string | null; timedOut: boolean }): string {
  if (f.timedOut) return 'it did not finish in time';
  return f.signal ? `it died of ${f.signal}` : `it exited ${f.exitCode}`;
}

function holdersText(holders: readonly { pid: number; comm: string }[]): string {
  return holders.length ? ` by ${holders.map((h) => `${h.comm} (pid ${h.pid})`).join(', ')}` : '';
}
