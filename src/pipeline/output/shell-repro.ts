import { basename } from 'node:path';
import { sanitizerEnv } from '../../classify/sanitizer-env.js';
import { type VariantName, variantFlags } from '../../compile/variants.js';
import type { TreeSide } from '../../source/tree-side.js';
import { drawChoices } from '../../storm/iteration.js';
import { variantSlowdown } from '../../storm/iteration-setup.js';
import { placeSides } from '../../storm/placement.js';
import { shellQuote } from '../../storm/repro.js';
import { judgedSide, type StormWorkload } from '../../workload/schema.js';
import { expandArgs } from '../../workload/template.js';

/** One tree as the script gets it: the repository and commit (null: the tree given), its patches. */
export interface ShellReproTree {
  readonly repo: string | null;
  readonly commit: string | null;
  /** Patch files by name: the script applies `patches/NAME` from the bundle, next to it. */
  readonly patches: readonly string[];
}

export interface ShellReproParts {
  readonly workload: StormWorkload;
  readonly variant: VariantName;
  readonly seed: number;
  readonly iteration: number;
  /** How many CPUs the iteration's lane had. */
  readonly cpuCount: number;
  readonly base: ShellReproTree;
  readonly head: ShellReproTree;
}

/** Crash signals of a process killed by the default action: the script counts these as failures. */
const crashStatuses = [132, 133, 134, 135, 136, 139];

/**
 * A self-contained bash script that reruns one iteration without sigstorm, the way a kernel
 * selftest loop would: it builds base and head with sigstorm's flags, then N times per tree starts
 * the server and client under taskset, waits for the moment (ss), sleeps the iteration's drawn delay,
 * sends the pattern with kill, and counts a crash signal, a sanitizer report or a hang as a failure.
 * What it cannot do in a shell: a thread-aimed step goes to the process (no tgkill), and the
 * readiness poll is coarser than sigstorm's, so its rates approximate the storm's.
 */
export function shellRepro(parts: ShellReproParts): string {
  const { workload: w, variant } = parts;
  const { delayMs, plan } = drawChoices(w, parts.seed, parts.iteration);
  const cpus = Array.from({ length: Math.max(1, parts.cpuCount) }, (_, i) => i);
  const placement = placeSides(w.pin, cpus, 'this iteration');
  const [serverCpus, clientCpus] =
    placement.kind === 'ok' ? [placement.server, placement.client] : ['0', '0'];
  const values = {
    port: '$port',
    host: w.host,
    streams: String(w.streams),
    seconds: String(w.seconds),
    rate: w.rate,
  };
  const argv = (template: string) =>
    expandArgs(template, values)
      .map((word) => (word === '$port' ? '"$port"' : shellQuote(word)))
      .join(' ');
  const flags = variantFlags[variant];
  const env = Object.entries(sanitizerEnv(variant)).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const hangSeconds = Math.ceil((w.hangTimeoutMs * variantSlowdown[variant]) / 1000);
  const target = w.signal.to;
  const judged = judgedSide(w);
  const moment = w.at.moment;
  const needed = moment === 'setup' ? 1 : w.streams + 1;
  const wait = moment === 'end' ? Math.max(0, w.seconds * 1000 + delayMs) : delayMs;
  const signals = plan.flatMap((step, i) => [
    ...(i > 0 && step.gapMs > 0 ? [`  sleep ${seconds(step.gapMs)}`] : []),
    `  kill -${step.signal.replace(/^SIG/, '')} "$${target}" 2>/dev/null${step.thread && step.thread !== 'process' ? `  # sigstorm aims this one at a ${step.thread} thread (tgkill); a shell sends it to the process` : ''}`,
  ]);
  const treeSetup = (side: TreeSide, tree: ShellReproTree) => [
    `build ${side} ${tree.commit ?? '""'} ${tree.patches.map((p) => shellQuote(basename(p))).join(' ')}`,
  ];
  const repo = parts.head.repo ?? parts.base.repo;
  return `#!/usr/bin/env bash
# ${w.name} (${variant}), iteration ${parts.iteration} of seed ${parts.seed}, without sigstorm:
# builds base and head with sigstorm's ${variant} flags, then reruns the iteration N times on each
# (server and client under taskset, the moment, ${delayMs} ms, ${plan.map((s) => s.signal).join(', ')} to the ${target})
# and counts the runs whose ${judged} crashed, reported a sanitizer error or hung.
# Needs: gcc, make (autoconf/automake/libtool for a tree without ./configure), taskset, ss, git.
#
# Usage: bash $(basename "$0") TREE [N]
#   TREE: a checkout of ${repo ?? "the tree (sigstorm's bundled subject: test/subject of a sigstorm checkout)"}
#   N:    iterations per tree (default 10)
set -u
tree_given=\${1:?give the tree: a checkout of ${repo ?? 'the bundled subject (test/subject)'}}
n=\${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

# The tree at its commit, with its patches, built as sigstorm builds the ${variant} variant.
build() {
  local side=$1 commit=$2; shift 2
  local dir="$work/$side"
  cp -a "$tree_given/." "$dir" || exit 2
  if [ -n "$commit" ] && [ -e "$dir/.git" ]; then git -C "$dir" checkout -q "$commit" || exit 2; fi
  for p in "$@"; do git -C "$dir" apply "$here/patches/$p" 2>/dev/null || patch -d "$dir" -p1 -s < "$here/patches/$p" || exit 2; done
  (
    cd "$dir" || exit 1
    if [ ! -x configure ] && [ -f configure.ac ]; then autoreconf -fi >/dev/null 2>&1 || exit 1; fi
    if [ -x configure ]; then
      shared=$(./configure --help | grep -q -- '-shared' && echo --disable-shared)
      ./configure $shared CFLAGS=${shellQuote(flags.cflags)} LDFLAGS=${shellQuote(flags.ldflags)} >build.log 2>&1 &&
        make -j"$(nproc)" >>build.log 2>&1
    else
      make -j"$(nproc)" CFLAGS=${shellQuote(flags.cflags)} LDFLAGS=${shellQuote(flags.ldflags)} >build.log 2>&1
    fi
  ) || { echo "$side: the build failed, see $dir/build.log" >&2; trap - EXIT; exit 1; }
}
${treeSetup('base', parts.base).join('\n')}
${treeSetup('head', parts.head).join('\n')}

${env.join('\n')}
port=$((20000 + $$ % 20000))

# Established connections on the port (server ends), as sigstorm counts them.
established() { ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l; }
listening() { ss -Hltn "( sport = :$port )" 2>/dev/null | grep -q .; }

# One iteration on a binary; returns 1 when the ${judged} failed.
iteration() {
  local bin=$1 out=$work/out; rm -f "$out".*
  taskset -c ${serverCpus} "$bin" ${argv(w.server.args)} >"$out.server" 2>&1 & server=$!
  for _ in $(seq 200); do listening && break; sleep 0.02; done
${
  moment === 'idle'
    ? '  client=""'
    : `  taskset -c ${clientCpus} "$bin" ${argv(w.client.args)} >"$out.client" 2>&1 & client=$!
  for _ in $(seq 500); do [ "$(established)" -ge ${needed} ] && break; sleep 0.01; done`
}
  sleep ${seconds(wait)}
${signals.join('\n')}
  local waited=0 status
  while kill -0 "$${judged}" 2>/dev/null && [ $waited -lt ${hangSeconds * 10} ]; do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$${judged}" 2>/dev/null; then
    kill -KILL "$server" $client 2>/dev/null; wait "$server" $client 2>/dev/null
    echo "  hang: the ${judged} still ran after ${hangSeconds} s"; return 1
  fi
  wait "$${judged}"; status=$?
  kill -TERM "$server" $client 2>/dev/null; wait "$server" $client 2>/dev/null
  case $status in ${crashStatuses.join('|')}) echo "  crash: the ${judged} died by signal $((status - 128))"; return 1 ;; esac
  if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer|stack smashing detected' "$out.${judged}"; then
    echo "  sanitizer: $(grep -m1 -E 'ERROR: |runtime error:|WARNING: ThreadSanitizer|stack smashing' "$out.${judged}")"; return 1
  fi
  return 0
}

status=0
for side in base head; do
  failed=0
  for _ in $(seq "$n"); do iteration "$work/$side/src/iperf3" || failed=$((failed + 1)); done
  echo "$side: $failed of $n failed"
  [ "$side" = head ] && [ "$failed" -gt 0 ] && status=1
done
exit $status
`;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
