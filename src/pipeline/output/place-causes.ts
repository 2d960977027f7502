import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { frameLocations, inTreeCandidate } from '../../classify/frame-locations.js';
import type { CauseEntry, Comparison } from '../../compare/comparison.schema.js';

/**
 * Places each cause at its top frame in the tree's own files: the first frame of its first signature's
 * evidence whose path (relative, as -ffile-prefix-map records it) is a file of the tree it was seen in
 * (head's, base's for a fixed cause), else of the report its evidence-pass rerun gave. Frames in libc, the
 * sanitizer runtime or the toolchain are skipped.
 */
export function placeCauses(
  comparison: Comparison,
  trees: { readonly base: string; readonly head: string },
): Comparison {
  const { signatures } = comparison.stability;
  const place = (c: CauseEntry): CauseEntry => {
    const dir = c.bucket === 'fixed' ? trees.base : trees.head;
    const inTree = (evidence: string) =>
      frameLocations(evidence).find((f) => inTreeCandidate(f.path) && existsSync(join(dir, f.path)));
    for (const s of c.signatures) {
      const entry = signatures.find(
        (e) =>
          e.signature === s.signature &&
          e.workload === c.workload &&
          e.variant === c.variant &&
          e.side === c.side &&
          e.role === c.role,
      );
      const frame = inTree(entry?.evidence ?? '');
      if (frame) return { ...c, location: { path: frame.path, line: frame.line, function: frame.function } };
    }
    // A stackless crash: the stack its iteration gave when rerun on the ASan build (../evidence-pass.ts).
    const rerun = inTree(c.rerun?.evidence ?? '');
    return rerun ? { ...c, location: { path: rerun.path, line: rerun.line, function: rerun.function } } : c;
  };
  return {
    ...comparison,
    stability: { ...comparison.stability, causes: comparison.stability.causes.map(place) },
  };
}
