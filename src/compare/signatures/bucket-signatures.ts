import type { FindingThresholds } from '../../config/thresholds.schema.js';
import type { TreeSide } from '../../source/tree-side.js';
import type { Role } from '../../workload/side.js';
import type { SignatureEntry } from '../comparison.schema.js';
import type { CellInput, SignatureObservation } from '../input.js';
import { judgedCount } from '../stability/side-stats.js';

const cellName = (c: CellInput) => `${c.workload} (${c.variant}, ${c.side})`;

/** Signature → its observations on one side of a cell in one role (the same signature may come from both processes). */
function index(cell: CellInput, tree: TreeSide, role: Role): Map<string, SignatureObservation[]> {
  const map = new Map<string, SignatureObservation[]>();
  for (const s of cell[tree].signatures) {
    if (s.role !== role) continue;
    map.set(s.signature, [...(map.get(s.signature) ?? []), s]);
  }
  return map;
}

const total = (list: readonly SignatureObservation[] | undefined) =>
  (list ?? []).reduce((a, s) => a + s.count, 0);

/** The observation to show: the earliest one. */
function shown(list: readonly SignatureObservation[]): SignatureObservation {
  return list.reduce((a, b) => (b.firstIteration < a.firstIteration ? b : a));
}

function familyIn(cell: CellInput, tree: TreeSide, family: string): number {
  return cell[tree].signatures.filter((s) => s.family === family).reduce((a, s) => a + s.count, 0);
}

function isNoisy(family: string | null | undefined, thresholds: FindingThresholds): family is string {
  if (!family) return false;
  const f = family.toLowerCase();
  return thresholds.noisyFamilies.some((n) => n.toLowerCase() === f);
}

/**
 * Buckets every signature of every cell: new (head only), fixed (base only) or persisting, target
 * and peer roles apart. A new target signature of a finding kind is a finding (a regression even if
 * seen once) unless base explains it: base showed the same signature anywhere (any cell, any role),
 * or it belongs to a noisy family (e.g. TSan data races) that base also shows in this cell.
 */
export function bucketSignatures(
  cells: readonly CellInput[],
  thresholds: FindingThresholds,
): SignatureEntry[] {
  // Where base showed each signature, over the whole comparison: a bug base has is never head's.
  const inBase = new Map<string, string[]>();
  for (const cell of cells) {
    for (const s of cell.base.signatures) {
      const where = inBase.get(s.signature) ?? [];
      if (!where.includes(cellName(cell))) where.push(cellName(cell));
      inBase.set(s.signature, where);
    }
  }
  const entries: SignatureEntry[] = [];
  for (const cell of cells) {
    const iterations = { base: judgedCount(cell.base).n, head: judgedCount(cell.head).n };
    for (const role of ['target', 'peer'] as const) {
      const base = index(cell, 'base', role);
      const head = index(cell, 'head', role);
      const otherRole = role === 'target' ? 'peer' : 'target';
      const baseOther = index(cell, 'base', otherRole);
      const headOther = index(cell, 'head', otherRole);
      for (const signature of new Set([...head.keys(), ...base.keys()])) {
        const h = head.get(signature);
        const b = base.get(signature);
        const bucket = h && b ? 'persisting' : h ? 'new' : 'fixed';
        const first = shown(h ?? b ?? []);
        let finding = false;
        let note: string | null = null;
        if (bucket === 'new') {
          const elsewhere = (inBase.get(signature) ?? []).filter((w) => w !== cellName(cell));
          const family = first.family ?? null;
          if (baseOther.has(signature)) note = `base shows it on the ${otherRole} side of this cell`;
          else if (elsewhere.length > 0) note = `base shows it in ${elsewhere.join(', ')}`;
          else if (isNoisy(family, thresholds) && familyIn(cell, 'base', family) > 0) {
            note = `base shows other ${family} reports in this cell (${familyIn(cell, 'base', family)} times): not blamed on head`;
          }
          finding = role === 'target' && note === null && thresholds.kinds.includes(first.kind);
        } else if (bucket === 'fixed' && headOther.has(signature)) {
          note = `head still shows it on the ${otherRole} side`;
        }
        entries.push({
          workload: cell.workload,
          variant: cell.variant,
          side: cell.side,
          bucket,
          role,
          process: first.side,
          signature,
          kind: first.kind,
          family: first.family ?? null,
          base: { count: total(b), iterations: iterations.base },
          head: { count: total(h), iterations: iterations.head },
          finding,
          note,
          excerpt: first.excerpt,
          evidence: first.evidence,
          repro: first.repro,
          firstIteration: first.firstIteration,
        });
      }
    }
  }
  const order = { new: 0, fixed: 1, persisting: 2 } as const;
  return entries.sort(
    (a, b) =>
      Number(b.finding) - Number(a.finding) ||
      (a.role === b.role ? 0 : a.role === 'target' ? -1 : 1) ||
      order[a.bucket] - order[b.bucket] ||
      b.head.count + b.base.count - (a.head.count + a.base.count) ||
      a.signature.localeCompare(b.signature),
  );
}
