#!/usr/bin/env node
// A credential typed into a URL (`--repo https://user:token@host/…`) must not stay visible in `ps`:
// the process title (what /proc/<pid>/cmdline shows) is rewritten without it, before anything else.
const userinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/i;
const args = process.argv.slice(2);
if (args.some((arg) => userinfo.test(arg))) {
  process.title = ['sigstorm', ...args.map((arg) => arg.replace(new RegExp(userinfo, 'gi'), '$1'))].join(' ');
}

// No committed build output: the TypeScript sources run as one bundle, built on the first start after
// they change (bin/cached-bundle.js); where it cannot be built or kept (no esbuild, a read-only
// installation), tsx compiles them on load.
const { fileURLToPath, pathToFileURL } = await import('node:url');
const { cachedBundle } = await import('./cached-bundle.js');
const bundle = await cachedBundle({
  root: fileURLToPath(new URL('..', import.meta.url)),
  dir: 'cli',
  name: 'sigstorm',
  entry: 'src/cli/main.ts',
  inputs: ['src', 'package.json', 'package-lock.json'],
}).catch(() => undefined);
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
