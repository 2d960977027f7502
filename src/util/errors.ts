/**
 * An error a person can act on: `message` says what went wrong, `hint` what to do about it.
 * Everything the CLI or the app shows to a user goes through this shape.
 */
export class SigstormError extends Error {
  override readonly name = 'SigstormError';
  readonly hint: string | undefined;
  /** Extra lines shown under the message (a log tail, a failing hunk). */
  readonly details: string | undefined;

  constructor(message: string, options: { hint?: string; details?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** Bad input from a user (a file, a flag, a comment): exit status 2 on the CLI. */
export class UsageError extends SigstormError {}

export function describeError(error: unknown): string {
  if (error instanceof SigstormError) {
    const parts = [error.message];
    if (error.details) parts.push(error.details.replace(/^/gm, '  '));
    if (error.hint) parts.push(`What to do: ${error.hint}`);
    return parts.join('\n');
  }
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `Unexpected non-error thrown: ${String(error)}`;
}
