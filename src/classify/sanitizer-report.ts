import { capText, splitLines } from './normalise.js';
import type { SanitizerFinding } from './outcome.js';
import { type Frame, isSanitizerFrameLine, parseSanitizerFrame, signatureFrames } from './stack-frames.js';

export type SanitizerTool = SanitizerFinding['tool'];

/** One report a sanitizer printed on stderr. */
export interface SanitizerReport {
  readonly tool: SanitizerTool;
  /** e.g. `heap-use-after-free`, `SEGV on unknown address`, `data race`, `runtime error: signed integer overflow`. */
  readonly reportKind: string;
  /** 0 = fatal (the process dies of it) … 3 = leaks at exit; lower is more severe. */
  readonly severity: number;
  /** The first stack of the report (the faulting access, the racy access, the unsafe call). */
  readonly frames: readonly Frame[];
  /** `tool:kind in f1 (file.c) < f2 (file.c) < f3 (file.c)`: no addresses, ids or line numbers. */
  readonly signature: string;
  readonly text: string;
}

type Style = 'error' | 'tsan-warning' | 'ubsan' | 'fatal' | 'stack-switch';

interface Start {
  readonly tool: SanitizerTool;
  readonly reportKind: string;
  readonly severity: number;
  readonly style: Style;
}

const toolNames: Readonly<Record<string, SanitizerTool>> = {
  Address: 'asan',
  HWAddress: 'asan',
  Leak: 'lsan',
  Thread: 'tsan',
  UndefinedBehavior: 'ubsan',
};

const pidPrefix = String.raw`(?:==\d+==)?`;
const errorLine = new RegExp(`^${pidPrefix}ERROR: (\\w+)Sanitizer: (.*)$`);
const tsanWarning = /^WARNING: ThreadSanitizer: (.*)$/;
const ubsanLine = /(?:^|: )runtime error: (.*)$/;
const longjmpLine = new RegExp(`^${pidPrefix}(\\w+)Sanitizer: can't find longjmp buf`);
const checkFailed = new RegExp(`^${pidPrefix}(?:FATAL: )?(\\w+)Sanitizer:? CHECK failed: `);
const fatalLine = new RegExp(`^${pidPrefix}FATAL: (\\w+)Sanitizer:? (.*)$`);
// Any other `XSanitizer: message` is a fatal report (`AddressSanitizer: nested bug in the same thread,
// aborting.`), except the runtime's chatter below.
const otherLine = new RegExp(`^${pidPrefix}(\\w+)Sanitizer: (.+)$`);
const chatter =
  /^(reported \d+ warnings|ignoring signal|Matched \d+ suppressions|matched suppression|growing |periodic memory flush|memory flush|flushing memory|memory flushed|suppressing report|forked new process)/;
const deadlySignal = /^(\w+)Sanitizer:DEADLYSIGNAL\s*$/;
// ASan noticed a jump onto another stack: in iperf3 that is a signal handler running on a worker
// thread longjmp-ing to the main thread's buffer. A warning with no stack, but evidence of the bug.
const stackSwitch = new RegExp(`^${pidPrefix}WARNING: ASan is ignoring requested __asan_handle_no_return`);

/** A report kind without the parts that change between runs (addresses, pids, thread ids). */
export function normaliseKind(raw: string): string {
  return raw
    .replace(/\s*\(pid=\d+\)/, '')
    .replace(/\s+0x[0-9a-fA-F]+.*$/, '')
    .replace(/\s+in thread T\d+:?$/, '')
    .replace(/\s+(on address|on|at|of)$/, '')
    .replace(/:$/, '')
    .trim();
}

function ubsanKind(message: string): string {
  // `signed integer overflow: 2147483647 + 1 cannot be…` → the clause before the operands.
  const clause = /^([a-z][a-z -]+?):\s/.exec(message)?.[1] ?? message;
  return `runtime error: ${clause
    .replace(/0x[0-9a-fA-F]+/g, 'ADDR')
    .replace(/\d+/g, 'N')
    .trim()}`;
}

function tsanSeverity(kind: string): number {
  if (kind === 'data race' || kind.startsWith('data race ')) return 2;
  if (kind === 'thread leak') return 3;
  return 1;
}

function detectStart(line: string): Start | null {
  if (stackSwitch.test(line)) {
    return {
      tool: 'asan',
      reportKind: 'stack switch (ignored __asan_handle_no_return)',
      severity: 1,
      style: 'stack-switch',
    };
  }
  let match = longjmpLine.exec(line);
  if (match) {
    const tool = toolNames[match[1] ?? ''] ?? 'tsan';
    return { tool, reportKind: 'cant find longjmp buf', severity: 0, style: 'fatal' };
  }
  match = errorLine.exec(line);
  if (match) {
    const tool = toolNames[match[1] ?? ''];
    if (!tool) return null;
    const reportKind = normaliseKind(match[2] ?? '');
    const leaks = tool === 'lsan' || reportKind === 'detected memory leaks';
    return { tool: leaks ? 'lsan' : tool, reportKind, severity: leaks ? 3 : 0, style: 'error' };
  }
  match = tsanWarning.exec(line);
  if (match) {
    const reportKind = normaliseKind(match[1] ?? '');
    return { tool: 'tsan', reportKind, severity: tsanSeverity(reportKind), style: 'tsan-warning' };
  }
  match = checkFailed.exec(line);
  if (match) {
    const tool = toolNames[match[1] ?? ''] ?? 'asan';
    return { tool, reportKind: 'CHECK failed', severity: 0, style: 'fatal' };
  }
  match = fatalLine.exec(line);
  if (match) {
    const tool = toolNames[match[1] ?? ''] ?? 'asan';
    return { tool, reportKind: normaliseKind(match[2] ?? ''), severity: 0, style: 'fatal' };
  }
  match = otherLine.exec(line);
  if (match && !chatter.test(match[2] ?? '')) {
    const tool = toolNames[match[1] ?? ''];
    const reportKind = normaliseKind((match[2] ?? '').replace(/,? aborting\.?$/, '').replace(/\.$/, ''));
    if (tool) return { tool, reportKind, severity: 0, style: 'fatal' };
  }
  match = ubsanLine.exec(line);
  if (match) return { tool: 'ubsan', reportKind: ubsanKind(match[1] ?? ''), severity: 1, style: 'ubsan' };
  return null;
}

interface Draft {
  readonly start: Start;
  readonly lines: string[];
  readonly frames: Frame[];
  /** `none` until the first stack starts, `open` while its frames follow, `done` after. */
  stack: 'none' | 'open' | 'done';
}

function addLine(draft: Draft, line: string): void {
  draft.lines.push(line);
  if (isSanitizerFrameLine(line)) {
    if (draft.stack === 'done') return;
    const frame = parseSanitizerFrame(line);
    if (frame) draft.frames.push(frame);
    draft.stack = 'open';
  } else if (draft.stack === 'open') {
    draft.stack = 'done';
  }
}

/** Does `line` still belong to the open report? */
function continues(draft: Draft, line: string): boolean {
  switch (draft.start.style) {
    case 'error':
    case 'tsan-warning':
      return true;
    case 'ubsan':
      // The runtime error line, its notes, hex dump and caret, then its (indented) stack.
      return (
        /^\s+\S/.test(line) || /: note: /.test(line) || /^SUMMARY: UndefinedBehaviorSanitizer/.test(line)
      );
    case 'stack-switch':
      return /^(False positive error reports may follow|For details see )/.test(line);
    case 'fatal':
      // The CHECK line and the stack that follows; anything else ends it.
      return (
        checkFailed.test(line) || isSanitizerFrameLine(line) || (line.trim() === '' && draft.stack === 'none')
      );
  }
}

/** Is this the line that closes the report (included in it)? */
function closes(draft: Draft, line: string): boolean {
  if (draft.start.style === 'tsan-warning') return /^=+$/.test(line.trim()) && draft.lines.length > 1;
  if (draft.start.style === 'error') {
    // LeakSanitizer ends with its SUMMARY (no ABORTING: the process was exiting anyway).
    if (draft.start.tool === 'lsan') return /^SUMMARY: \w+Sanitizer: /.test(line);
    return /^==\d+==ABORTING/.test(line);
  }
  return false;
}

/** The stacks of a report, each as its parsed frames, in the order printed. */
function stacksOf(lines: readonly string[]): Frame[][] {
  const stacks: Frame[][] = [];
  let current: Frame[] | null = null;
  for (const line of lines) {
    const frame = isSanitizerFrameLine(line) ? parseSanitizerFrame(line) : null;
    if (frame) {
      if (!current) {
        current = [];
        stacks.push(current);
      }
      current.push(frame);
    } else {
      current = null;
    }
  }
  return stacks;
}

function signatureOfReport(draft: Draft): string {
  const { tool, reportKind } = draft.start;
  // Which of the two racing accesses TSan sees second (and prints first) is up to the scheduler:
  // the two stacks, sorted, name the race whichever order they came in.
  if (tool === 'tsan' && reportKind.startsWith('data race')) {
    const pair = stacksOf(draft.lines)
      .slice(0, 2)
      .map((frames) => signatureFrames(frames).join(' < '))
      .filter((label) => label !== '')
      .sort();
    if (pair.length === 2) return `${tool}:${reportKind} between ${pair[0]} and ${pair[1]}`;
  }
  const top = signatureFrames(draft.frames);
  return `${tool}:${reportKind}${top.length > 0 ? ` in ${top.join(' < ')}` : ''}`;
}

function finish(draft: Draft): SanitizerReport {
  const { tool, reportKind, severity } = draft.start;
  const signature = signatureOfReport(draft);
  return {
    tool,
    reportKind,
    severity,
    frames: draft.frames,
    signature,
    text: capText(draft.lines.join('\n')),
  };
}

/**
 * Every sanitizer report in a process's stderr, in the order printed. Reports of different tools
 * interleave (UBSan runtime errors before the ASan error; TSan's longjmp CHECK prints its stack
 * after later reports): a stack that follows no open report goes to the earliest fatal report still
 * lacking one.
 */
export function findSanitizerReports(stderr: string): SanitizerReport[] {
  const drafts: Draft[] = [];
  let open: Draft | null = null;
  let previous = '';
  const leave = (): void => {
    if (open?.stack === 'open') open.stack = 'done';
    open = null;
  };
  for (const line of splitLines(stderr)) {
    const start = detectStart(line);
    const absorbedCheck = start?.reportKind === 'CHECK failed' && open?.start.style === 'fatal';
    if (start && !absorbedCheck) {
      leave();
      const separator = /^=+$/.test(previous.trim()) ? [previous] : [];
      const draft: Draft = { start, lines: [...separator], frames: [], stack: 'none' };
      drafts.push(draft);
      addLine(draft, line);
      open = draft;
    } else if (open && (absorbedCheck || continues(open, line))) {
      addLine(open, line);
      if (closes(open, line)) leave();
    } else {
      leave();
      const owner = isSanitizerFrameLine(line)
        ? drafts.find((d) => d.start.style === 'fatal' && d.stack === 'none')
        : undefined;
      if (owner) {
        addLine(owner, line);
        open = owner;
      }
    }
    previous = line;
  }
  if (drafts.length === 0) {
    // The runtime caught a deadly signal but died before printing a report: still its evidence.
    const lines = splitLines(stderr);
    const at = lines.findIndex((line) => deadlySignal.test(line));
    const tool = at >= 0 ? toolNames[deadlySignal.exec(lines[at] ?? '')?.[1] ?? ''] : undefined;
    if (tool) {
      const start: Start = { tool, reportKind: 'deadly signal', severity: 0, style: 'fatal' };
      drafts.push({ start, lines: lines.slice(at, at + 50), frames: [], stack: 'done' });
    }
  }
  return adoptLostStacks(drafts.map(finish));
}

/**
 * A fatal report whose stack was never printed (the runtime died first, e.g. two workers hitting the
 * same longjmp CHECK) takes the signature of its twin of the same tool and kind that has one, so the
 * same bug does not count as two findings depending on how far the dying runtime got.
 */
function adoptLostStacks(reports: SanitizerReport[]): SanitizerReport[] {
  return reports.map((report) => {
    if (report.frames.length > 0) return report;
    const twin = reports.find(
      (r) => r.frames.length > 0 && r.tool === report.tool && r.reportKind === report.reportKind,
    );
    return twin ? { ...report, signature: twin.signature } : report;
  });
}

/** The report that best explains the process's end: the most severe, the earliest among equals. */
export function primaryReport(reports: readonly SanitizerReport[]): SanitizerReport | undefined {
  let best: SanitizerReport | undefined;
  for (const report of reports) if (!best || report.severity < best.severity) best = report;
  return best;
}

/** Distinct findings by signature with their counts, the primary report's first. */
export function findingsOf(
  reports: readonly SanitizerReport[],
  primary?: SanitizerReport,
): SanitizerFinding[] {
  const bySignature = new Map<string, SanitizerFinding>();
  const ordered = primary ? [primary, ...reports.filter((r) => r !== primary)] : reports;
  for (const { tool, reportKind, signature } of ordered) {
    const seen = bySignature.get(signature);
    bySignature.set(signature, { tool, reportKind, signature, count: (seen?.count ?? 0) + 1 });
  }
  return [...bySignature.values()];
}
