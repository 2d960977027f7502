import { z } from 'zod';
import { variantNames } from '../../compile/variants.js';
import { intFlag, listFlag, repoFlag } from '../parse-flags.js';

/** `sigstorm repro`'s flags as commander hands them over; validated before anything runs. */
export const ReproFlags = z.object({
  repo: repoFlag.optional(),
  ref: z.string().min(1, '--ref needs a commit, branch or tag').optional(),
  patches: listFlag('--patches').optional(),
  variant: z
    .enum(variantNames, { error: `--variant must be one of ${variantNames.join(', ')}` })
    .default('plain'),
  workload: z.string({ error: '--workload is required' }).min(1, '--workload needs a name or file'),
  seed: intFlag('--seed', 0),
  iteration: intFlag('--iteration', 0),
  times: intFlag('--times', 0).max(1000, '--times may be at most 1000').default(10),
  cpuCount: intFlag('--cpu-count', 1).optional(),
  sandbox: z.boolean().default(true),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
});
export type ReproFlags = z.infer<typeof ReproFlags>;
