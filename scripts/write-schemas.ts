// Writes schemas/*.json from the zod schemas in scripts/schema-registry.ts.
// `tsx scripts/write-schemas.ts --check` exits 1 when a committed copy is stale (CI and tests use it).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { installRoot } from '../src/util/paths.js';
import { type SchemaEntry, schemaRegistry } from './schema-registry.js';

export const schemasDir = join(installRoot, 'schemas');

/** The JSON text of one schema, exactly as committed. */
export function renderSchema(entry: SchemaEntry): string {
  // `input`: editors check what a person writes, so fields with defaults are optional.
  const json = z.toJSONSchema(entry.schema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...json, title: entry.title }, null, 2)}\n`;
}

/** The schema files whose committed text differs from what the zod schemas generate. */
export async function staleSchemas(): Promise<string[]> {
  const stale: string[] = [];
  for (const entry of schemaRegistry) {
    const committed = await readFile(join(schemasDir, entry.file), 'utf8').catch(() => '');
    if (committed !== renderSchema(entry)) stale.push(entry.file);
  }
  return stale;
}

async function main(check: boolean): Promise<void> {
  if (check) {
    const stale = await staleSchemas();
    if (stale.length > 0) {
      process.stderr.write(
        `stale JSON Schemas: ${stale.join(', ')}; run: npx tsx scripts/write-schemas.ts\n`,
      );
      process.exit(1);
    }
    return;
  }
  await mkdir(schemasDir, { recursive: true });
  for (const entry of schemaRegistry) {
    await writeFile(join(schemasDir, entry.file), renderSchema(entry));
    process.stdout.write(`wrote schemas/${entry.file}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv.includes('--check'));
}
