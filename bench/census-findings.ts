// Census findings on a real iperf3 tree (issue 22, docs/threads.md): iterations per side and storm
// seconds to the stability verdict for three changes of our own, each on a branch of a temporary
// clone of the given checkout (esnet/iperf at 3.18 or any fork that keeps its file layout):
// 1. sigpipe: main() no longer ignores SIGPIPE (its `signal(SIGPIPE, SIG_IGN)` line removed);
// 2. worker-mask: the stream workers no longer block SIGTERM/SIGINT/SIGHUP (their pthread_sigmask off);
// 3. new-thread: main() starts one more thread, which blocks nothing, before the test.
// pr profile (default set, plain + asan, fail fast), no throughput runs, base-results cache off.
// Run: npx tsx bench/census-findings.ts --iperf PATH [--ref 3.18] [--only sigpipe,worker-mask,new-thread]
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { type IperfChange, iperfBranches, replaceOnce } from './iperf-branches.js';
import { type TimedValidation, timedValidation } from './timed-validation.js';

const maskOff = (file: string) => (t: string) =>
  replaceOnce(
    t,
    'if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {',
    'if (0 && pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {',
    file,
  );

export const changes: readonly IperfChange[] = [
  {
    name: 'sigpipe',
    what: 'SIGPIPE no longer ignored',
    edit: { 'src/main.c': (t) => replaceOnce(t, /\n\s*signal\(SIGPIPE, SIG_IGN\);/, '\n', 'src/main.c') },
  },
  {
    name: 'worker-mask',
    what: 'stream workers no longer block the termination signals',
    edit: {
      'src/iperf_client_api.c': maskOff('src/iperf_client_api.c'),
      'src/iperf_server_api.c': maskOff('src/iperf_server_api.c'),
    },
  },
  {
    name: 'new-thread',
    what: 'a new thread that blocks nothing',
    edit: {
      'src/main.c': (t) =>
        replaceOnce(
          replaceOnce(
            t,
            /\nint\nmain\(int argc, char \*\*argv\)\n\{\n/,
            '\nstatic void *idle_reporter(void *arg) { (void) arg; for (;;) pause(); return NULL; }\n\nint\nmain(int argc, char **argv)\n{\n    { pthread_t idle; pthread_create(&idle, NULL, idle_reporter, NULL); }\n',
            'src/main.c',
          ),
          '#include "iperf.h"',
          '#include <pthread.h>\n#include "iperf.h"',
          'src/main.c',
        ),
    },
  },
];

export interface CensusFindingRow extends TimedValidation {
  readonly change: string;
  readonly what: string;
}

export async function censusFindingsBench(o: {
  readonly iperf: string;
  readonly ref?: string;
  readonly only?: readonly string[];
  readonly log?: (line: string) => void;
}): Promise<CensusFindingRow[]> {
  const ref = o.ref ?? '3.18';
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const picked = changes.filter((c) => !o.only || o.only.includes(c.name));
  const repo = await iperfBranches(o.iperf, ref, picked);
  const rows: CensusFindingRow[] = [];
  try {
    for (const change of picked) {
      log(`census-findings: ${change.name} (${change.what}) against ${ref}`);
      const timed = await timedValidation(
        { base: { repo, ref }, head: { repo, ref: change.name }, throughputRuns: 0, baseCache: false },
        log,
      );
      rows.push({ ...timed, change: change.name, what: change.what });
      log(
        `  ${timed.verdict}: ${timed.iterations.base} + ${timed.iterations.head} iterations, ${timed.stormSeconds.toFixed(1)} s of storms`,
      );
      log(`  ${timed.headline}`);
    }
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (flag: string) => {
    const at = process.argv.indexOf(flag);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const iperf = arg('--iperf');
  if (!iperf) {
    process.stderr.write(
      'usage: npx tsx bench/census-findings.ts --iperf PATH [--ref 3.18] [--only sigpipe,worker-mask,new-thread]\n',
    );
    process.exit(2);
  }
  const only = arg('--only')?.split(',');
  const rows = await censusFindingsBench({
    iperf,
    ...(arg('--ref') ? { ref: arg('--ref') as string } : {}),
    ...(only ? { only } : {}),
  });
  console.log('| change | verdict | iterations base + head | storm s | cells stormed |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.what} | ${r.verdict} | ${r.iterations.base} + ${r.iterations.head} | ${r.stormSeconds.toFixed(1)} | ${r.cellsStormed} |`,
    );
  }
}
