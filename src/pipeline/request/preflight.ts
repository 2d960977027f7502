import { materialise, type Tree } from '../../compile/build-tree.js';
import { planBuild } from '../../compile/prepare-tree.js';
import { probeSandboxOnce } from '../../sandbox/probe.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import type { TreeSide } from '../../source/tree-side.js';
import { createLanePool, type LanePool } from '../../storm/lanes.js';
import { SigstormError, UsageError } from '../../util/errors.js';
import { secureCacheRoot } from '../../util/secure-cache-root.js';
import type { TreeRequest, ValidateRequest } from './contract.js';

export interface Checked {
  readonly trees: { readonly base: Tree; readonly head: Tree };
  readonly pool: LanePool;
}

/**
 * Everything a validation can find wrong with its input, found before anything is built or any
 * output folder is made: both trees are exported and patched (a head patch that does not apply
 * fails in seconds, not after the base build), each has a build system, the CPUs and lanes exist,
 * and the sandbox the code will run in can be made here.
 */
export async function preflight(
  request: Pick<ValidateRequest, 'base' | 'head' | 'lanes' | 'cpus'> & { readonly sandbox: SandboxMode },
  options: { signal?: AbortSignal | undefined; onProgress?: (message: string) => void } = {},
): Promise<Checked> {
  if (request.sandbox.kind === 'bwrap') {
    const probe = await probeSandboxOnce();
    if (!probe.ok) throw probe.error;
  }
  await secureCacheRoot();
  const pool = await createLanePool({
    ...(request.lanes ? { lanes: request.lanes } : {}),
    ...(request.cpus ? { cpus: request.cpus } : {}),
  });
  const base = await checkedTree('base', request.base, options);
  const head = await checkedTree('head', request.head, options);
  return { trees: { base, head }, pool };
}

async function checkedTree(
  which: TreeSide,
  request: TreeRequest,
  options: { signal?: AbortSignal | undefined; onProgress?: (message: string) => void },
): Promise<Tree> {
  try {
    const tree = await materialise(
      {
        ...(request.repo ? { repo: request.repo } : {}),
        ...(request.ref ? { ref: request.ref } : {}),
        patches: [...(request.patches ?? [])],
      },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (message) => options.onProgress?.(`${which}: ${message}`),
      },
    );
    await planBuild(tree);
    return tree;
  } catch (error) {
    throw sideError(which, error);
  }
}

/** The same error, saying which side it is about; a usage error stays one (exit status 2). */
export function sideError(which: TreeSide, error: unknown): unknown {
  if (!(error instanceof SigstormError)) return error;
  const Kind = error instanceof UsageError ? UsageError : SigstormError;
  return new Kind(`${which}: ${error.message}`, {
    ...(error.hint ? { hint: error.hint } : {}),
    ...(error.details ? { details: error.details } : {}),
    cause: error,
  });
}
