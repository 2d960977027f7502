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

/**
 * The flags of `sigstorm validate`, checked once: one schema for the whole run, the warm-up and a
 * shard (validate.ts, validate-shard.ts).
 */

/** `90`, `90s`, `5m`, `1h` → seconds. */
export const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?[smh]?$/, '--budget takes a duration like 90s, 5m or 1h')
  .transform((s) => {
    const n = Number.parseFloat(s);
    return s.endsWith('h') ? n * 3600 : s.endsWith('m') ? n * 60 : n;
  })
  .refine((seconds) => seconds > 0, { error: '--budget must be longer than 0' });

const ValidateFlags = z
  .object({
    repo: repoFlag.optional(),
    base: z.string().min(1, '--base needs a ref').optional(),
    basePatches: listFlag('--base-patches').optional(),
    head: z.string().min(1, '--head needs a ref').optional(),
    headPatches: listFlag('--head-patches').optional(),
    workloads: listFlag('--workloads').optional(),
    variants: variantsFlag('--variants').optional(),
    iterations: intFlag('--iterations', 1).optional(),
    budget: Duration.optional(),
    failFast: z.boolean().optional(),
    profile: z.enum(['pr', 'release'], { error: '--profile is pr or release' }).default('pr'),
    seed: intFlag('--seed', 0).optional(),
    lanes: intFlag('--lanes', 1).optional(),
    cpus: z.string().min(1, '--cpus needs a CPU list like 0-3').optional(),
    throughputRuns: intFlag('--throughput-runs', 0).optional(),
    config: z.union([z.string().min(1, '--config needs a file'), z.literal(false)]).optional(),
    out: z.string().min(1, '--out needs a directory').optional(),
    /** `true`: the JSON report on stdout; a string is the deprecated `--json <file>`. */
    json: z.union([z.boolean(), z.string().min(1)]).optional(),
    jsonFile: z.string().min(1, '--json-file needs a file').optional(),
    markdown: z.string().min(1, '--markdown needs a file').optional(),
    markdownFile: z.string().min(1, '--markdown-file needs a file').optional(),
    reproDir: z.string().min(1, '--repro-dir needs a directory').optional(),
    sarif: z.string().min(1, '--sarif needs a file').optional(),
    baseCache: z.boolean().default(true),
    warmBase: z.boolean().default(false),
    quiet: z.boolean().default(false),
    failOnRegression: z.boolean().default(false),
    sandbox: z.boolean().default(true),
    shard: z.string().min(1, '--shard needs K/N, e.g. 2/4').optional(),
    blob: z.string().min(1, '--blob needs a file').optional(),
  })
  .superRefine((flags, context) => {
    refuseTogether(
      { ...flags, jsonAsFile: typeof flags.json === 'string' ? flags.json : undefined },
      [
        ['jsonAsFile', 'jsonFile', 'it is the old spelling of --json-file; give one'],
        ['markdown', 'markdownFile', 'it is the old spelling of --markdown-file; give one'],
        ['warmBase', 'headPatches', '--warm-base storms base only; drop --head-patches'],
        ['warmBase', 'head', '--warm-base storms base only; drop --head'],
      ],
      context,
      { jsonAsFile: '--json <file>', markdown: '--markdown <file>' },
    );
    requireWith(flags, [['blob', 'shard', 'only a shard writes a blob']], context);
  })
  .transform(({ json, jsonFile, markdown, markdownFile, ...flags }) => ({
    ...flags,
    json: json === true,
    // The deprecated spellings `--json <file>` and `--markdown <file>` keep working, with a note.
    ...(typeof json === 'string' || jsonFile ? { jsonFile: typeof json === 'string' ? json : jsonFile } : {}),
    ...(markdown || markdownFile ? { markdownFile: markdown ?? markdownFile } : {}),
    deprecated: [
      ...(typeof json === 'string' ? [`--json ${json} is deprecated; write --json-file ${json}`] : []),
      ...(markdown ? [`--markdown ${markdown} is deprecated; write --markdown-file ${markdown}`] : []),
    ],
  }));
export type ValidateFlags = z.infer<typeof ValidateFlags>;

export function parseValidateFlags(raw: unknown): ValidateFlags {
  return parseFlags(ValidateFlags, raw, 'validate');
}
