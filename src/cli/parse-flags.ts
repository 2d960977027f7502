import { z } from 'zod';
import { type VariantName, variantNames } from '../build/variants.js';
import { UsageError } from '../util/errors.js';

/** Validates a command's flags as commander hands them over; the first problem becomes a usage error. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown, command: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UsageError(issue?.message ?? parsed.error.message, {
    hint: `Run \`sigstorm ${command} --help\` for the options and examples.`,
  });
}

/** A comma-separated flag; an empty list (`--patches ","`) is an error, never "all" or "none". */
export const listFlag = (flag: string) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    )
    .refine((items) => items.length > 0, { error: `${flag} is an empty list: name at least one` });

/** A list of build variants; the unknown ones are named together with the valid ones. */
export const variantsFlag = (flag: string) =>
  listFlag(flag).transform((names, context): VariantName[] => {
    const valid: readonly string[] = variantNames;
    const unknown = names.filter((name) => !valid.includes(name));
    if (unknown.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `Unknown variant${unknown.length > 1 ? 's' : ''} in ${flag}: ${unknown.join(', ')} (valid: ${variantNames.join(', ')})`,
      });
      return z.NEVER;
    }
    return [...new Set(names as VariantName[])];
  });

export const intFlag = (flag: string, min: number) =>
  z.coerce
    .number({ error: `${flag} must be a number` })
    .int(`${flag} must be a whole number`)
    .min(min, `${flag} must be at least ${min}`);

/** The pairs of flags given together that contradict each other, each with the reason. */
export function refuseTogether(
  flags: Record<string, unknown>,
  pairs: readonly (readonly [key: string, other: string, reason: string])[],
  context: z.core.$RefinementCtx,
): void {
  for (const [key, other, reason] of pairs) {
    if (given(flags[key]) && given(flags[other])) {
      context.addIssue({
        code: 'custom',
        message: `${flagName(key)} cannot be combined with ${flagName(other)}: ${reason}`,
      });
    }
  }
}

/** `onlyIteration` → `--only-iteration`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const given = (value: unknown): boolean => value !== undefined && value !== false;
