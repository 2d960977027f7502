import { describe, expect, it } from 'vitest';
import { staleSchemas } from '../../scripts/write-schemas.js';

describe('generated JSON Schemas', () => {
  it('the committed schemas/*.json match the zod schemas (run: npx tsx scripts/write-schemas.ts)', async () => {
    expect(await staleSchemas()).toEqual([]);
  });
});
