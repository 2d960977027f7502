import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/**
 * Four tiers (vitest projects); `vitest run` (npm test) runs them all, `--project unit` one.
 *
 * - unit: pure functions, statistics, schemas, parsing, report rendering. No process, no build, no
 *   storm: files run side by side. `npm run test:unit`, the inner loop.
 * - integration: real processes, builds, sandboxes, the GitHub stand-in and the App on a scripted
 *   validation (no storm): independent files, run side by side.
 * - storm: files that run real storms and assert what the races do (crashes found, hangs, thread
 *   census, throughput, the App end to end). They share the workers with the integration files (one
 *   queue; on a clean clone the largest files first, later the longest): on 2 cores most of a storm
 *   is waiting (the delay windows, readiness, exits), and every assertion in them holds under load (the helpers of earlier sessions ran them at load 25–47;
 *   a storm's rates are read from its own records, never from wall-clock figures). Running them last
 *   and alone made CI wait 13 of its 22 minutes on one storm at a time.
 *   Files that build, storm or run sanitizers but whose assertions are not about the races (the builds
 *   of the subject and its patches, sanitizer classification of deterministic crashers, the storm
 *   sandbox's containment, `sigstorm repro`'s command line) are integration.
 * - alone: the few storm files whose assertions are race rates that load moves (below): last, alone.
 *
 * A new test file is unit only when listed here; every file not in unit or storm is integration.
 */
const unit = [
  'test/compare/**/*.test.ts',
  'test/report/**/*.test.ts',
  'test/workload/**/*.test.ts',
  'test/util/**/*.test.ts',
  'test/layering.test.ts',
  'test/sandbox/host-identity.test.ts',
  'test/storm/start-routines.test.ts',
  'test/classify/{family,frame-locations,outcome-kinds,captured-output}.test.ts',
  'test/compile/{patch-header,without-credentials}.test.ts',
  'test/pipeline/{allocate,cold-warm,neutral-settled,request-from-config,repro-bundle,look-budget,validation-budget,storm-expected,iteration-prior}.test.ts',
  'test/app/{actions-config,command-lines,parse-command,repo-config,user-text,clone-source,progress-reporter,job-store,cache-pins}.test.ts',
  'test/workflows/validate-workflow.test.ts',
  'test/cli/bisect-flags.test.ts',
];

const storm = [
  'test/storm/{cli,portable-repro,runner-debian,shutdown-checks,subject,thread-census,thread-directed,tracing}.test.ts',
  'test/subject-binary/loopback.test.ts',
  'test/throughput/**/*.test.ts',
  'test/pipeline/{validate,validate-neutral,threads-validate,finding-stop,warm-base,bisect,bisect-commits,evidence-pass}.test.ts',
  'test/cli/{shards,shard-stops}.test.ts',
  'test/bench/**/*.test.ts',
  'test/workflows/sharded-workflow.test.ts',
  // The App end to end: real storms and real time (the other App tests script the validation).
  'test/app/{pull-request,warm-base,actions-executor,annotations}.test.ts',
];

/**
 * Storm files whose assertions are rates of races that CPU contention moves (how often a signal aimed
 * at a server's stream thread ends it: 18 of 30 alone, 0 of 6 once beside the whole suite): last,
 * one at a time, alone.
 */
const alone = ['test/storm/thread-directed-rates.test.ts'];

/**
 * Which tier's files take the workers first: the long, mostly waiting storms, then the unit files
 * (short but for two simulations of 30–70 s, which started last made the run's tail), then the rest.
 */
const tierOrder = ['storm', 'unit', 'integration', 'alone'];

/**
 * vitest's order within each tier (on a clean clone the largest files first, later the longest), the
 * storm tier's files before the others: a long storm file started last would be the run's tail.
 */
class StormsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => tierOrder.indexOf(f.project.name);
    return (await super.sort(files)).toSorted((a, b) => rank(a) - rank(b));
  }
}

const shared = {
  testTimeout: 300_000,
  hookTimeout: 600_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
    sequence: { sequencer: StormsFirst },
    // On 2 cores the default (one worker fewer than the cores) ran the files one after the other
    // although they mostly wait (HTTP, back-offs, builds, storms' delay windows): with 3 workers a
    // fresh-clone run kept the cores 60% busy.
    maxWorkers: 4,
    projects: [
      { extends: true, test: { ...shared, name: 'unit', include: unit } },
      {
        extends: true,
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...unit, ...storm, ...alone],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'storm',
          include: storm,
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'alone',
          include: alone,
          sequence: { groupOrder: 1 },
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
