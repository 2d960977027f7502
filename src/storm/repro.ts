import type { VariantName } from '../build/variants.js';

export interface ReproParts {
  readonly binary: string;
  readonly variant: VariantName;
  /** The bundled workload's name, or the absolute path of a workload file. */
  readonly workloadRef: string;
  readonly seed: number;
  readonly iteration: number;
  readonly cpus: string;
}

/** POSIX shell quoting: plain words stay as they are, anything else goes in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One shell command that reruns exactly this iteration: same binary, seed, choices and CPU set. */
export function reproCommand(parts: ReproParts): string {
  return [
    'npx sigstorm storm',
    `--binary ${shellQuote(parts.binary)}`,
    `--variant ${parts.variant}`,
    `--workload ${shellQuote(parts.workloadRef)}`,
    `--seed ${parts.seed}`,
    `--only-iteration ${parts.iteration}`,
    `--cpus ${shellQuote(parts.cpus)}`,
  ].join(' ');
}
