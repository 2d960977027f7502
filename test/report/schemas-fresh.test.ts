import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { schemaRegistry } from '../../scripts/schema-registry.js';
import { renderSchema, schemasDir } from '../../scripts/write-schemas.js';
import { regressionScenario, reportOf, throughputRegressionScenario } from '../support/report-fixtures.js';

const entry = schemaRegistry.find((e) => e.file === 'report.schema.json');

describe('schemas/report.schema.json', () => {
  it('is registered and matches the zod schema (run: npx tsx scripts/write-schemas.ts)', async () => {
    expect(entry).toBeDefined();
    if (!entry) return;
    const committed = await readFile(join(schemasDir, entry.file), 'utf8');
    expect(committed).toBe(renderSchema(entry));
  });

  it('accepts real reports and rejects a broken one', async () => {
    const schema: unknown = JSON.parse(await readFile(join(schemasDir, 'report.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema as object);
    for (const scenario of [regressionScenario(), throughputRegressionScenario()]) {
      const report = JSON.parse(JSON.stringify(reportOf(scenario)));
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      expect(report.schemaVersion).toBe(1);
    }
    const broken = JSON.parse(JSON.stringify(reportOf(regressionScenario())));
    broken.verdict.stability = 'bad';
    delete broken.stability.cells[0].base.judged;
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/verdict/stability', '/stability/cells/0/base']),
    );
  });
});
