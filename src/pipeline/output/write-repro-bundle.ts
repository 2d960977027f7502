import { copyFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CauseEntry } from '../../compare/comparison.schema.js';
import { failingCauses } from '../../report/failing-causes.js';
import type { Report } from '../../report/report.schema.js';
import { reproFiles } from '../../report/repro-files.js';
import { parseCpuList } from '../../storm/cpus.js';
import { readRecords } from '../../storm/jsonl.js';
import type { IterationRecord } from '../../storm/record.js';
import { makeDir } from '../../util/make-dir.js';
import { resolveStormWorkload } from '../../workload/load.js';
import { portableRecord } from './portable-repro.js';
import { shellRepro } from './shell-repro.js';

/**
 * The shell script that reruns a cause's iteration without sigstorm (./shell-repro.ts), or nothing
 * for a workload the bundle cannot name (a file only the validating machine has).
 */
async function shellScriptOf(
  report: Report,
  c: CauseEntry,
  record: IterationRecord,
  name: string | null,
): Promise<{ name: string; text: string } | undefined> {
  const loaded = name === null ? undefined : await resolveStormWorkload(c.workload).catch(() => undefined);
  if (!loaded || name === null) return undefined;
  const tree = (b: Report['base']) => ({ repo: b.repo, commit: b.commit, patches: b.patches });
  return {
    name,
    text: shellRepro({
      workload: loaded.workload,
      variant: c.variant,
      seed: record.seed,
      iteration: record.iteration,
      cpuCount: parseCpuList(record.cpus).length,
      base: tree(report.base),
      head: tree(report.head),
    }),
  };
}

/**
 * A small bundle anybody can rerun a failing validation's iterations from: README.md (each cause,
 * its command), records.jsonl (the iteration records the evidence is from), evidence/ (the full
 * stderr, sanitizer report or backtraces), patches/ and report.md. Written only when something
 * failed; returns the files written (none when nothing did).
 */
export async function writeReproBundle(dir: string, report: Report, outDir: string): Promise<string[]> {
  const files = reproFiles(report);
  if (files.length === 0) return [];
  await makeDir(join(dir, 'evidence'));
  const written: string[] = [];
  const records: IterationRecord[] = [];
  const readme = [`# sigstorm repro bundle`, '', report.headline, ''];
  for (const c of failingCauses(report)) {
    readme.push(`## ${c.workload} (${c.variant}, ${c.process}): ${c.headline}`, '');
    const file = join(
      outDir,
      'iterations',
      `${c.workload}.${c.variant}.${c.bucket === 'fixed' ? 'base' : 'head'}.jsonl`,
    );
    const all = await readRecords(file);
    for (const { entry: e, evidence: name, script: scriptName } of files.filter((f) => f.cause === c)) {
      await writeFile(join(dir, name), `${e.evidence}\n`);
      written.push(name);
      const record = all.find((r) => r.iteration === e.firstIteration);
      // The bundle travels: its records name no path of this machine and rerun as the report does.
      if (record) records.push(portableRecord(record, e.repro));
      const script = record && (await shellScriptOf(report, c, record, scriptName));
      if (script) {
        await writeFile(join(dir, script.name), script.text, { mode: 0o755 });
        written.push(script.name);
      }
      readme.push(
        `- \`${e.signature}\` (${e.head.count} of ${e.head.iterations} in head, ${e.base.count} of ${e.base.iterations} in base)`,
        `  - evidence: [${name}](${name}) (iteration ${e.firstIteration})`,
        `  - rerun: \`${e.repro} --times 10\``,
        ...(script
          ? [
              `  - without sigstorm: \`bash ${script.name} TREE 10\` builds base and head from TREE (a checkout of the tree) and reruns the iteration 10 times on each with plain commands ([${script.name}](${script.name}))`,
            ]
          : []),
      );
    }
    readme.push('');
  }
  const patches = [...new Set([...report.base.patches, ...report.head.patches])];
  if (patches.length > 0) {
    await makeDir(join(dir, 'patches'));
    for (const p of patches) {
      await copyFile(p, join(dir, 'patches', basename(p)));
      written.push(`patches/${basename(p)}`);
    }
    readme.push(
      `The patches are in patches/: run the commands from the directory the validation ran in, or give \`--patches\` the copies here.`,
      '',
    );
  }
  readme.push(
    '`sigstorm repro` clones the repository at the commit (or uses the bundled subject), builds the variant (cached), reruns the iteration with the same seed and CPU count, then `--times N` more times, and says how often it failed.',
  );
  await writeFile(
    join(dir, 'records.jsonl'),
    records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''),
  );
  await writeFile(join(dir, 'README.md'), `${readme.join('\n')}\n`);
  await copyFile(join(outDir, 'report.md'), join(dir, 'report.md'));
  return ['README.md', 'records.jsonl', 'report.md', ...written];
}
