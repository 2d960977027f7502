import { createHash } from 'node:crypto';
import type { CompilerIdentity } from './compiler.js';
import type { VariantFlags, VariantName } from './variants.js';

/** Bump when the build recipe changes in a way that makes older cached binaries wrong. */
const recipeVersion = 1;

/**
 * The cache key of one build: tree content, how configure was generated, variant flags, compiler
 * and the program asked for. Anything that changes the binary changes the key.
 */
export function buildKey(parts: {
  treeHash: string;
  bootstrapId: string | null;
  variant: VariantName;
  flags: VariantFlags;
  compiler: CompilerIdentity;
  binary: string;
}): string {
  const identity = JSON.stringify({
    recipe: recipeVersion,
    tree: parts.treeHash,
    bootstrap: parts.bootstrapId,
    variant: parts.variant,
    cflags: parts.flags.cflags,
    ldflags: parts.flags.ldflags,
    compiler: { path: parts.compiler.path, version: parts.compiler.version },
    binary: parts.binary,
  });
  return `${parts.variant}-${createHash('sha256').update(identity).digest('hex').slice(0, 24)}`;
}
