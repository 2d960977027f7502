import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { schemaRegistry } from '../../scripts/schema-registry.js';
import { renderSchema, schemasDir } from '../../scripts/write-schemas.js';
import { bisectHeadline } from '../../src/report/bisect/bisect-headline.js';
import { BisectResult } from '../../src/report/bisect/bisect-result.schema.js';
import { renderBisect } from '../../src/report/bisect/render-bisect.js';
import { installRoot } from '../../src/util/paths.js';

// A real result: `sigstorm bisect` on the 7-patch series of test/pipeline/bisect.test.ts (2026-12-07).
const recorded = async () =>
  JSON.parse(await readFile(join(installRoot, 'test', 'fixtures', 'bisect-result.json'), 'utf8')) as unknown;

describe('bisect result', () => {
  it('schemas/bisect-result.schema.json is registered and fresh (run: npx tsx scripts/write-schemas.ts)', async () => {
    const entry = schemaRegistry.find((e) => e.file === 'bisect-result.schema.json');
    expect(entry).toBeDefined();
    if (!entry) return;
    expect(await readFile(join(schemasDir, entry.file), 'utf8')).toBe(renderSchema(entry));
  });

  it('the JSON Schema accepts a recorded result and rejects a guess without certainty', async () => {
    const schema: unknown = JSON.parse(await readFile(join(schemasDir, 'bisect-result.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema as object);
    const result = await recorded();
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    const guess = structuredClone(result) as { answer: Record<string, unknown> };
    delete guess.answer.certainty;
    expect(validate(guess)).toBe(false);
    expect(BisectResult.safeParse(guess).success).toBe(false);
  });

  it('headlines every kind of answer', () => {
    expect(
      bisectHeadline({ kind: 'first-bad', index: 4, name: 'x.patch', alone: 'bad', certainty: 0.95 }),
    ).toBe('First bad: 4 (x.patch), certainty 95.0%');
    expect(
      bisectHeadline({
        kind: 'no-single-culprit',
        index: 3,
        name: 'y.patch',
        why: 'it needs 2',
        certainty: 0.96,
      }),
    ).toBe('No single culprit: the regression first shows at 3 (y.patch), but it needs 2; certainty 96.0%');
    expect(bisectHeadline({ kind: 'no-regression', why: 'not worse', certainty: 0.983 })).toBe(
      'No regression to bisect: not worse; certainty 98.3%',
    );
    expect(
      bisectHeadline({ kind: 'undecided-within-budget', range: { good: 3, bad: 5 }, why: 'budget spent' }),
    ).toBe('Undecided within the budget: the first bad one is after 3 and at most 5 (budget spent)');
  });

  it('renders the answer first, then every step with its counts', async () => {
    const result = BisectResult.parse(await recorded());
    const md = renderBisect(result);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## Bisection: 🎯 First bad: 4 (unblocked-worker-signals.patch), certainty 95.0%');
    expect(md).toContain('at most 5 steps, each with α = 0.01 and β = 0.01');
    const rows = lines.filter((l) => /^\| \d/.test(l));
    expect(rows).toHaveLength(result.steps.length);
    expect(rows[0]).toMatch(
      /^\| 1 \(bad point\) \| 7 `06-options-comment.patch` \| bad \| 0\/22 failed \| 22\/22 failed \| 1 \|/,
    );
    expect(rows.at(-1)).toMatch(/alone on the good point.*\| bad \|/);
  });
});
