import type { z } from 'zod';
import { UsageError } from '../util/errors.js';

/** Validates a command's flags as commander hands them over; the first problem becomes a usage error. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown, command: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UsageError(`Invalid option: ${issue?.message ?? parsed.error.message}`, {
    hint: `Run \`sigstorm ${command} --help\` for the options.`,
  });
}
