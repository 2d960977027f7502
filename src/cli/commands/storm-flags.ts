import { z } from 'zod';
import { variantNames } from '../../compile/variants.js';
import { intFlag, listFlag, refuseTogether, repoFlag } from '../parse-flags.js';

/** The command's flags as commander hands them over; validated (contradictions included) before anything runs. */
export const StormFlags = z
  .object({
    repo: repoFlag.optional(),
    ref: z.string().min(1, '--ref needs a branch, tag or commit').optional(),
    patches: listFlag('--patches').optional(),
    binary: z.string().min(1, '--binary needs a path').optional(),
    workload: z.string({ error: '--workload is required' }).min(1, '--workload needs a name or file'),
    variant: z
      .enum(variantNames, { error: `--variant must be one of ${variantNames.join(', ')}` })
      .default('plain'),
    iterations: intFlag('--iterations', 1).optional(),
    onlyIteration: intFlag('--only-iteration', 0).optional(),
    lanes: intFlag('--lanes', 1).optional(),
    cpus: z.string().min(1, '--cpus needs a CPU list like 0-3').optional(),
    seed: intFlag('--seed', 0).optional(),
    basePort: intFlag('--base-port', 1024).optional(),
    out: z.string().min(1, '--out needs a file').optional(),
    sandbox: z.boolean().default(true),
    json: z.boolean().default(false),
    quiet: z.boolean().default(false),
    failOnFindings: z.boolean().default(false),
  })
  .superRefine((flags, context) =>
    refuseTogether(
      flags,
      [
        ['onlyIteration', 'iterations', '--only-iteration runs exactly one iteration (give it with --seed)'],
        ['binary', 'repo', '--binary storms a built program; --repo/--ref/--patches say what to build'],
        ['binary', 'ref', '--binary storms a built program; --repo/--ref/--patches say what to build'],
        ['binary', 'patches', '--binary storms a built program; --repo/--ref/--patches say what to build'],
      ],
      context,
    ),
  );
export type StormFlags = z.infer<typeof StormFlags>;

export const defaultIterations = 100;
