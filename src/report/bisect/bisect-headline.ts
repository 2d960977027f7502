import { formatPercent } from '../../util/format.js';
import type { BisectAnswer } from './bisect-result.schema.js';

/** One line: the answer and how sure it is (the first thing the Markdown and the CLI say). */
export function bisectHeadline(answer: BisectAnswer): string {
  switch (answer.kind) {
    case 'first-bad':
      return `First bad: ${answer.index} (${answer.name}), certainty ${formatPercent(answer.certainty)}`;
    case 'no-single-culprit':
      return `No single culprit: the regression first shows at ${answer.index} (${answer.name}), but ${answer.why}; certainty ${formatPercent(answer.certainty)}`;
    case 'no-regression':
      return `No regression to bisect: ${answer.why}; certainty ${formatPercent(answer.certainty)}`;
    case 'undecided-within-budget':
      return `Undecided within the budget: the first bad one is after ${answer.range.good} and at most ${answer.range.bad} (${answer.why})`;
    default: {
      const never: never = answer;
      return never;
    }
  }
}
