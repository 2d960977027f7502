/**
 * The CLI's exit statuses, the same for every command (README.md "Exit status" is the table for
 * people; keep the two in step).
 */
export const exitCodes = {
  /** The command did what it was asked (whatever a storm or validation found). */
  ok: 0,
  /** It could not run: a build failed, a clone failed, a storm could not start. */
  couldNotRun: 1,
  /** Bad input: a flag, a list, a file, a patch that does not apply, a CPU not available. */
  badInput: 2,
  /** A finding or regression, only with --fail-on-findings / --fail-on-regression. */
  regression: 3,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM; what finished is kept. */
  interrupted: 130,
} as const;
