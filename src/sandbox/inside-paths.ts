import type { SandboxMode } from './sandbox.schema.js';

/**
 * Where the code under test finds what it is given of the host: fixed, neutral paths, never the
 * host's own (which name the cache, and so the operator's home or layout). A build's tree is at
 * `/sigstorm/tree` (its working directory), a storm's program directory at `/sigstorm/bin`.
 */
export const insideTree = '/sigstorm/tree';
export const insideBin = '/sigstorm/bin';

/** The path a build's tree has for the code that builds it: in its Makefiles, flags and debug info. */
export function treeSeenAs(mode: SandboxMode, hostTree: string): string {
  return mode.kind === 'bwrap' ? insideTree : hostTree;
}
