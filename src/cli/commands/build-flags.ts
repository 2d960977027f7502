import { z } from 'zod';
import { defaultBinary } from '../../compile/find-binary.js';
import { variantNames } from '../../compile/variants.js';
import { listFlag, repoFlag, variantsFlag } from '../parse-flags.js';

/** The command's flags as commander hands them over; validated before anything runs. */
export const BuildFlags = z.object({
  repo: repoFlag.optional(),
  ref: z.string().min(1, '--ref needs a branch, tag or commit').optional(),
  patches: listFlag('--patches').optional(),
  variants: variantsFlag('--variants').default([...variantNames]),
  binary: z.string().min(1, '--binary needs a path inside the tree').default(defaultBinary),
  json: z.boolean().default(false),
  sandbox: z.boolean().default(true),
});

export type BuildFlags = z.infer<typeof BuildFlags>;
