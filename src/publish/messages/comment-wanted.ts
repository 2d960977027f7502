import type { CommentWhen } from '../../config/repo-config.schema.js';
import type { Report } from '../../report/report.schema.js';

/** What the report comment may do on a pull request: create or edit it, only edit one already there, or nothing. */
export type CommentAction = 'write' | 'update-only' | 'none';

/**
 * Under the repository's `comment` setting: `not-neutral` stays quiet when stability is neutral and
 * throughput is neutral or was not measured, but keeps a comment already there true (an earlier push
 * may have left a regression in it).
 */
export function commentAction(
  when: CommentWhen,
  report: Pick<Report, 'verdict'> & { readonly throughput: { readonly rows: readonly unknown[] } },
): CommentAction {
  switch (when) {
    case 'always':
      return 'write';
    case 'never':
      return 'none';
    case 'not-neutral': {
      const measured = report.throughput.rows.length > 0;
      const quiet =
        report.verdict.stability === 'neutral' && (!measured || report.verdict.throughput === 'neutral');
      return quiet ? 'update-only' : 'write';
    }
    default:
      return when satisfies never;
  }
}
