import { z } from 'zod';
import {
  intFlag,
  listFlag,
  parseFlags,
  refuseTogether,
  repoFlag,
  requireWith,
  variantsFlag,
} from '../parse-flags.js';
import { Duration } from './validate-flags.js';

const Probability = (flag: string) =>
  z.coerce
    .number({ error: `${flag} must be a number` })
    .gt(0, `${flag} must be between 0 and 1`)
    .lt(1, `${flag} must be between 0 and 1`);

/** The flags of `sigstorm bisect`, checked before anything is built. */
const BisectFlags = z
  .object({
    repo: repoFlag.optional(),
    good: z.string().min(1, '--good needs a ref').optional(),
    bad: z.string().min(1, '--bad needs a ref').optional(),
    base: z.string().min(1, '--base needs a ref').optional(),
    basePatches: listFlag('--base-patches').optional(),
    headPatches: listFlag('--head-patches').optional(),
    fromReport: z.string().min(1, '--from-report needs a report.json').optional(),
    workloads: listFlag('--workloads').optional(),
    variants: variantsFlag('--variants').optional(),
    tolerance: Probability('--tolerance').optional(),
    alpha: Probability('--alpha').optional(),
    beta: Probability('--beta').optional(),
    retests: intFlag('--retests', 0).optional(),
    minIterations: intFlag('--min-iterations', 1).optional(),
    budget: Duration.optional(),
    seed: intFlag('--seed', 0).optional(),
    lanes: intFlag('--lanes', 1).optional(),
    cpus: z.string().min(1, '--cpus needs a CPU list like 0-3').optional(),
    out: z.string().min(1, '--out needs a directory').optional(),
    json: z.boolean().default(false),
    jsonFile: z.string().min(1, '--json-file needs a file').optional(),
    markdownFile: z.string().min(1, '--markdown-file needs a file').optional(),
    quiet: z.boolean().default(false),
    sandbox: z.boolean().default(true),
  })
  .superRefine((flags, context) => {
    refuseTogether(
      flags,
      [
        ['headPatches', 'good', 'bisect either a patch series (--head-patches) or the commits --good..--bad'],
        ['headPatches', 'bad', 'bisect either a patch series (--head-patches) or the commits --good..--bad'],
        ['base', 'good', 'with --good and --bad the good point is --good'],
        ['fromReport', 'workloads', 'the report names the regressed cells; give one of them'],
        ['fromReport', 'variants', 'the report names the regressed cells; give one of them'],
      ],
      context,
    );
    requireWith(
      flags,
      [
        ['good', 'bad', 'the commits between them are bisected'],
        ['bad', 'good', 'the commits between them are bisected'],
        ['good', 'repo', 'the refs are looked up in a repository'],
      ],
      context,
    );
    if (!flags.headPatches && !flags.good) {
      context.addIssue({
        code: 'custom',
        message:
          'nothing to bisect: give a patch series (--head-patches a,b,c) or two commits (--repo R --good G --bad B)',
      });
    }
    if (!flags.fromReport && !flags.workloads) {
      context.addIssue({
        code: 'custom',
        message: 'name the cells that regressed: --from-report report.json, or --workloads (and --variants)',
      });
    }
  });
export type BisectFlags = z.infer<typeof BisectFlags>;

export function parseBisectFlags(raw: unknown): BisectFlags {
  return parseFlags(BisectFlags, raw, 'bisect');
}
