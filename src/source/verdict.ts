import { z } from 'zod';

/**
 * The four verdicts a comparison of base and head reaches (src/compare/), and a patch header may
 * expect (./patch-header.ts). Defined here, below both, so each imports it without an upward import.
 */
export const Verdict = z.enum(['regression', 'improvement', 'neutral', 'inconclusive']);
export type Verdict = z.infer<typeof Verdict>;
