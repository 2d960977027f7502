import type { OutcomeKind } from '../../classify/outcome.js';
import type { TreeSide } from '../../source/tree-side.js';
import { formatCount } from '../../util/format.js';
import type { CauseEntry, SignatureEntry } from '../comparison.schema.js';
import type { CellInput } from '../input.js';

/**
 * One finding per cause. Signatures of one cell (workload, variant, target side), one role and one
 * process that share the same pattern over base and head (bucket, blamed or not, the same note) and
 * the same kind are one cause: SIGSEGV and `stack smashing detected` are one crash seen two ways,
 * the ASan `SEGV` reports of several stacks one sanitizer finding. Sanitizer reports group by
 * their report kind (`asan: SEGV` never with `asan: heap-use-after-free`, ASan never with TSan),
 * unless one crash printed both (mergeOneCrash), and nothing is ever grouped across cells.
 * docs/report.md states the rule.
 */
export function groupCauses(cells: readonly CellInput[], entries: readonly SignatureEntry[]): CauseEntry[] {
  const groups = new Map<string, SignatureEntry[]>();
  for (const e of entries) {
    const k = causeKey(e);
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return mergeOneCrash(cells, [...groups.values()]).map((list) => cause(cells, list));
}

/**
 * One crash is one cause across sanitizer kinds: a process that prints `stack-buffer-overflow`, then
 * `SEGV` or `CHECK failed` while dying, showed one bug. Sanitizer groups of the same cell, role,
 * process, bucket and blame merge when two of their signatures were seen in the same iteration with
 * the same stack (a report without a stack agrees with any). The first group (most seen) names it.
 */
export function mergeOneCrash(
  cells: readonly CellInput[],
  groups: readonly SignatureEntry[][],
): SignatureEntry[][] {
  const parent = groups.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] as number;
    return i;
  };
  const sameCrash = (a: SignatureEntry, b: SignatureEntry): boolean => {
    const stackA = stackOf(a);
    const stackB = stackOf(b);
    if (stackA !== '' && stackB !== '' && stackA !== stackB) return false;
    const tree = a.bucket === 'fixed' ? 'base' : 'head';
    const seen = iterationsOf(cells, a, tree);
    return [...iterationsOf(cells, b, tree)].some((i) => seen.has(i));
  };
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const a = groups[i] as SignatureEntry[];
      const b = groups[j] as SignatureEntry[];
      const [x, y] = [a[0] as SignatureEntry, b[0] as SignatureEntry];
      if (x.kind !== 'sanitizer' || y.kind !== 'sanitizer') continue;
      if (causeKey(x, false) !== causeKey(y, false)) continue;
      if (a.some((e) => b.some((f) => sameCrash(e, f)))) parent[root(j)] = root(i);
    }
  }
  const merged = new Map<number, SignatureEntry[]>();
  groups.forEach((g, i) => {
    merged.set(root(i), [...(merged.get(root(i)) ?? []), ...g]);
  });
  return [...merged.values()];
}

/** A sanitizer signature's stack (`in f (file) < g (file)`), '' for a report without one. */
function stackOf(e: SignatureEntry): string {
  const label = signatureLabel(e);
  return label === '(no stack)' || label === e.signature ? '' : label;
}

/** The iterations of one tree that showed this signature (role and process of the entry). */
function iterationsOf(cells: readonly CellInput[], e: SignatureEntry, tree: 'base' | 'head'): Set<number> {
  const cell = cells.find((c) => c.workload === e.workload && c.variant === e.variant && c.side === e.side);
  const out = new Set<number>();
  for (const s of cell?.[tree].signatures ?? []) {
    if (s.role === e.role && s.side === e.process && s.signature === e.signature)
      for (const i of s.iterations) out.add(i);
  }
  return out;
}

/** What the signatures of one cause share; entries keep bucketSignatures' order, so causes do too. */
function causeKey(e: SignatureEntry, byReportKind = true): string {
  return [
    e.workload,
    e.variant,
    e.side,
    e.role,
    e.process,
    e.bucket,
    String(e.finding),
    e.note ?? '',
    e.kind,
    e.kind === 'sanitizer' && byReportKind ? (e.family ?? e.signature) : '',
  ].join('\u0000');
}

/** The distinct iterations of one tree that showed any of the entries' signatures. */
function failing(cells: readonly CellInput[], list: readonly SignatureEntry[], tree: TreeSide): number {
  const first = list[0] as SignatureEntry;
  const cell = cells.find(
    (c) => c.workload === first.workload && c.variant === first.variant && c.side === first.side,
  );
  const names = new Set(list.map((e) => e.signature));
  const iterations = new Set<number>();
  for (const s of cell?.[tree].signatures ?? []) {
    if (s.role === first.role && s.side === first.process && names.has(s.signature))
      for (const i of s.iterations) iterations.add(i);
  }
  return iterations.size;
}

/** The short name a cause lists a signature by: the crash's cause, the sanitizer report's stack. */
export function signatureLabel(e: Pick<SignatureEntry, 'signature' | 'kind' | 'family'>): string {
  const s = e.signature;
  switch (e.kind) {
    case 'crash':
      return s.replace(/^crash:/, '').replace(/ in .*$/, '');
    case 'sanitizer': {
      // The report kind is the cause's (`asan:nested bug in the same thread` has " in " in it): the
      // stack after it tells the signatures apart.
      const prefix = e.family ? e.family.replace(/^(\w+): /, '$1:') : null;
      const rest = prefix && s.startsWith(prefix) ? s.slice(prefix.length).trim() : null;
      if (rest === null) return s;
      return rest === '' ? '(no stack)' : rest.replace(/^in /, '');
    }
    default:
      return s;
  }
}

/** "crashed", "reported asan: SEGV", … for the cause's headline. */
function verb(kind: OutcomeKind, family: string | null): string {
  switch (kind) {
    case 'crash':
      return 'crashed';
    case 'sanitizer':
      return `reported ${family ?? 'a sanitizer finding'}`;
    case 'hang':
      return 'hung';
    case 'bad-exit':
      return 'exited with an unexpected status';
    case 'bad-output':
      return 'printed bad output';
    case 'stuck-server':
      return 'left the server stuck';
    case 'port-held':
      return "left the server's port held";
    case 'clean':
    case 'harness-error':
      return `ended ${kind}`;
    default:
      return kind satisfies never;
  }
}

function cause(cells: readonly CellInput[], list: readonly SignatureEntry[]): CauseEntry {
  const first = list[0] as SignatureEntry;
  // The tree the cause is seen in: head unless it is fixed (base only).
  const tree = first.bucket === 'fixed' ? 'base' : 'head';
  // Signatures of another report kind merged in (one crash, see mergeOneCrash) say their kind.
  const label = (e: SignatureEntry) => {
    if (e.family === first.family || first.kind !== 'sanitizer') return signatureLabel(e);
    const kind = (e.family ?? e.signature).replace(/^\w+: /, '');
    const stack = signatureLabel(e);
    return stack === '(no stack)' ? kind : `${kind} in ${stack}`;
  };
  const labels = new Map<string, number>();
  for (const e of list) labels.set(label(e), (labels.get(label(e)) ?? 0) + e[tree].count);
  const iterations = {
    base: { failing: failing(cells, list, 'base'), judged: first.base.iterations },
    head: { failing: failing(cells, list, 'head'), judged: first.head.iterations },
  };
  const family = first.kind === 'sanitizer' ? first.family : null;
  const shown = iterations[tree];
  const parts = [...labels.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([label, n]) => (labels.size === 1 && list.length === 1 ? label : `${label} ×${formatCount(n)}`));
  const said = `${formatCount(shown.failing)} of ${formatCount(shown.judged)} ${verb(first.kind, family)}`;
  // A lone report without a stack adds nothing to its kind.
  const headline = parts.length === 1 && parts[0] === '(no stack)' ? said : `${said}: ${parts.join(', ')}`;
  return {
    workload: first.workload,
    variant: first.variant,
    side: first.side,
    bucket: first.bucket,
    role: first.role,
    process: first.process,
    kind: first.kind,
    family,
    finding: first.finding,
    note: first.note,
    iterations,
    headline,
    signatures: [...list]
      .sort((a, b) => b[tree].count - a[tree].count)
      .map((e) => ({ signature: e.signature, label: label(e), count: e[tree].count })),
    // Placed at a source line by the pipeline, which has the tree (pipeline/output/place-causes.ts).
    location: null,
    // Filled by the evidence pass, which reruns iterations (pipeline/evidence-pass.ts).
    rerun: null,
  };
}
