import { execa } from 'execa';
import { listTreeFiles, sha256, type TreeFile } from './tree-files.js';

/** Whether an earlier bootstrap's output may stand in for this tree's, and under which key. */
export type BootstrapInputs =
  | { readonly reusable: true; readonly key: string }
  | { readonly reusable: false; readonly reason: string };

/** C sources and headers: autoreconf never reads them (it sees their names, in Makefile.am and the file list). */
const cSource = /\.(c|h|cc|cpp|cxx|hh|hpp|hxx)$/;
/** m4 that runs a command reads state no file hash covers (git-version-gen, dates). */
const runsCommand = /\b(m4_esyscmd_s|m4_esyscmd|m4_syscmd|esyscmd|syscmd)\b/;
/** m4 that includes a C file reads what the key leaves out. */
const includesCSource =
  /\b(m4_include|m4_sinclude|sinclude|include)\s*\(\s*\[?[^)\]]*\.(c|h|cc|cpp|cxx|hh|hpp|hxx)\b/;
/** A bootstrap script that asks git, the clock or the network does the same. */
const scriptReadsState = /\b(git|date|hostname|curl|wget)\b/;

/**
 * The key of what a bootstrap reads, conservatively: the method and autotools versions, the
 * system's aclocal macros, the name, type and mode of every entry of the tree, and the content of
 * every file except C sources and headers (configure.ac, Makefile.am, m4/, config/, the bootstrap
 * script, AC_CONFIG_FILES templates, and whatever else the tree holds). Not reusable when
 * configure.ac or an .m4 file runs commands or includes a C file, or the bootstrap script calls
 * git, date and the like.
 */
export async function bootstrapInputs(
  files: ReadonlyMap<string, TreeFile>,
  bootstrapId: string,
  readText: (path: string) => Promise<string>,
): Promise<BootstrapInputs> {
  for (const [path, file] of files) {
    if (file.type !== 'file') continue;
    const name = path.split('/').pop() ?? path;
    const m4 = name === 'configure.ac' || name === 'configure.in' || name.endsWith('.m4');
    const script = path === 'bootstrap.sh' || path === 'autogen.sh';
    if (!m4 && !script) continue;
    const text = await readText(path);
    if (m4 && runsCommand.test(text))
      return { reusable: false, reason: `${path} runs commands (m4_esyscmd or similar)` };
    if (m4 && includesCSource.test(text)) return { reusable: false, reason: `${path} includes a C file` };
    if (script && scriptReadsState.test(withoutComments(text)))
      return { reusable: false, reason: `${path} calls git, date or the like` };
  }
  const lines = [`bootstrap: ${bootstrapId}`, `aclocal: ${await systemMacros()}`];
  for (const [path, file] of files) {
    const content = file.type === 'file' && cSource.test(path) ? '-' : file.hash;
    lines.push(`${file.type} ${file.mode.toString(8)} ${content} ${path}`);
  }
  return { reusable: true, key: sha256(lines.join('\n')).slice(0, 24) };
}

function withoutComments(script: string): string {
  return script
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
}

let macros: Promise<string> | undefined;

/** The hash of the system's aclocal directory (pkg.m4, libtool.m4, ...): aclocal copies from it. */
function systemMacros(): Promise<string> {
  macros ??= execa('aclocal', ['--print-ac-dir'], { reject: false, stdin: 'ignore' }).then(async (result) => {
    const dir = result.exitCode === 0 ? result.stdout.trim() : '';
    if (dir === '') return 'none';
    const files = await listTreeFiles(dir).catch(() => new Map<string, TreeFile>());
    return sha256([...files].map(([path, file]) => `${file.type} ${file.hash} ${path}`).join('\n'));
  });
  return macros;
}
