import type { VariantName } from '../compile/variants.js';
import type { PublicSource } from '../source/public-source.js';

export interface ReproParts {
  readonly binary: string;
  readonly variant: VariantName;
  /** The bundled workload's name, or the absolute path of a workload file. */
  readonly workloadRef: string;
  readonly seed: number;
  readonly iteration: number;
  readonly cpus: string;
}

/**
 * How a repro line runs sigstorm: its own entry point, from the root of a sigstorm checkout. Not
 * `npx sigstorm`: outside a checkout npx looks the name up in the public package registry, where an
 * unrelated package of that name would run. `node bin/sigstorm.js` consults no registry, names no
 * path of the validating machine, and outside a checkout fails with "Cannot find module".
 */
export const sigstormCommand = 'node bin/sigstorm.js';

/** POSIX shell quoting: plain words stay as they are, anything else goes in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One shell command that reruns exactly this iteration: same binary, seed, choices and CPU set. */
export function reproCommand(parts: ReproParts): string {
  return [
    `${sigstormCommand} storm`,
    `--binary ${shellQuote(parts.binary)}`,
    `--variant ${parts.variant}`,
    `--workload ${shellQuote(parts.workloadRef)}`,
    `--seed ${parts.seed}`,
    `--only-iteration ${parts.iteration}`,
    `--cpus ${shellQuote(parts.cpus)}`,
  ].join(' ');
}

export interface PortableReproParts {
  readonly source: PublicSource;
  readonly variant: VariantName;
  /** The bundled workload's name, or a workload file as the user named it. */
  readonly workloadRef: string;
  readonly seed: number;
  readonly iteration: number;
  /** How many CPUs the iteration ran on (its lane's). */
  readonly cpuCount: number;
}

/**
 * The command that reruns one iteration anywhere: `sigstorm repro` gets the tree (URL and commit,
 * patches), builds it (cached) and reruns that iteration; what a report shows to other people.
 */
export function portableReproCommand(parts: PortableReproParts): string {
  const { source } = parts;
  return [
    `${sigstormCommand} repro`,
    ...(source.repo === null ? [] : [`--repo ${shellQuote(source.repo)}`]),
    ...(source.commit === null ? [] : [`--ref ${source.commit}`]),
    ...(source.patches.length === 0 ? [] : [`--patches ${shellQuote(source.patches.join(','))}`]),
    `--variant ${parts.variant}`,
    `--workload ${shellQuote(parts.workloadRef)}`,
    `--seed ${parts.seed}`,
    `--iteration ${parts.iteration}`,
    `--cpu-count ${parts.cpuCount}`,
  ].join(' ');
}
