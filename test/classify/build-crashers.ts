import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { type VariantName, variantFlags } from '../../src/compile/variants.js';
import { installRoot } from '../../src/util/paths.js';

export const crashersSource = join(installRoot, 'test', 'fixtures', 'crashers', 'crashers.c');

export type CrasherBinaries = Readonly<Record<VariantName, string>>;

/**
 * Compiles test/fixtures/crashers/crashers.c once per variant with sigstorm's own variant flags
 * (plain additionally with -fstack-protector-strong, as distributions build iperf3).
 * `leadingBlankLines` shifts every line of the source down, as an unrelated patch would.
 */
export async function buildCrashers(dir: string, leadingBlankLines = 0): Promise<CrasherBinaries> {
  await mkdir(dir, { recursive: true });
  const source = join(dir, 'crashers.c');
  await writeFile(source, '\n'.repeat(leadingBlankLines) + (await readFile(crashersSource, 'utf8')));
  const build = async (variant: VariantName): Promise<string> => {
    const output = join(dir, `crashers-${variant}`);
    const { cflags, ldflags } = variantFlags[variant];
    const extra = variant === 'plain' ? ['-fstack-protector-strong'] : [];
    const args = [...cflags.split(' '), ...extra, '-pthread', source, '-o', output, ...ldflags.split(' ')];
    await execa(
      'gcc',
      args.filter((arg) => arg !== ''),
    );
    return output;
  };
  const [plain, asan, tsan] = await Promise.all([build('plain'), build('asan'), build('tsan')]);
  return { plain, asan, tsan };
}
