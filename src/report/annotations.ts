import type { CauseEntry } from '../compare/comparison.schema.js';
import { failingCauses } from './failing-causes.js';
import type { Report } from './report.schema.js';

/** The finding kinds placed at source lines. */
const placed = ['crash', 'sanitizer', 'hang'] as const;
type PlacedKind = (typeof placed)[number];

/** Most severe first: memory errors and crashes, then hangs. */
const severity: Record<PlacedKind, number> = { sanitizer: 0, crash: 0, hang: 1 };

export interface SourceFinding {
  readonly cause: CauseEntry & {
    readonly kind: PlacedKind;
    readonly location: NonNullable<CauseEntry['location']>;
  };
  readonly title: string;
  readonly message: string;
}

const isPlaced = (c: CauseEntry): c is SourceFinding['cause'] =>
  c.location !== null && (placed as readonly string[]).includes(c.kind);

/**
 * The failing crash, sanitizer and hang causes whose top frame is a file of the tree, most severe
 * first (then by failing iterations): what check-run annotations and SARIF results point at.
 */
export function sourceFindings(report: Report): SourceFinding[] {
  return failingCauses(report)
    .filter(isPlaced)
    .sort(
      (a, b) =>
        severity[a.kind] - severity[b.kind] ||
        b.iterations.head.failing - a.iterations.head.failing ||
        a.workload.localeCompare(b.workload),
    )
    .map((cause) => ({
      cause,
      title: `${cause.kind === 'sanitizer' ? cause.family : cause.kind} in ${cause.workload} (${cause.variant})`,
      message: [
        `${cause.headline} (base ${cause.iterations.base.failing} of ${cause.iterations.base.judged}).`,
        `Top frame in the tree: ${cause.location.function} at ${cause.location.path}:${cause.location.line}.`,
        'Rerun: see the repro lines in the report.',
      ].join('\n'),
    }));
}

/** GitHub takes at most 50 annotations per check-run request. */
export const annotationsPerRequest = 50;

export interface CheckAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'failure' | 'warning';
  readonly title: string;
  readonly message: string;
}

/** One check-run annotation per placed finding, most severe first. */
export function checkAnnotations(report: Report): CheckAnnotation[] {
  return sourceFindings(report).map((f) => ({
    path: f.cause.location.path,
    start_line: f.cause.location.line,
    end_line: f.cause.location.line,
    annotation_level: f.cause.kind === 'hang' ? 'warning' : 'failure',
    title: f.title.slice(0, 255),
    message: f.message.slice(0, 64 * 1024),
  }));
}
