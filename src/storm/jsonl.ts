import { appendFile, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SigstormError } from '../util/errors.js';
import { makeDir } from '../util/make-dir.js';
import { IterationRecord } from './record.js';

/**
 * Appends one iteration as one line. A single write of a whole line with O_APPEND: a storm stopped
 * at any moment leaves only complete lines behind.
 */
export async function appendRecord(file: string, record: IterationRecord): Promise<void> {
  await appendFile(file, `${JSON.stringify(record)}\n`, 'utf8');
}

/** Creates the directory of a results file and empties the file. */
export async function startResultsFile(file: string): Promise<void> {
  await makeDir(dirname(file));
  await appendFile(file, '', { flag: 'w' });
}

/** Reads a storm's JSONL file; every line is validated, a bad one is reported with its line number. */
export async function readRecords(file: string): Promise<IterationRecord[]> {
  const text = await readFile(file, 'utf8');
  const records: IterationRecord[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new SigstormError(`${file}:${index + 1}: not JSON`, {
        cause: error,
        hint: 'The file is not a sigstorm storm results file, or it was edited; rerun the storm.',
      });
    }
    const result = IterationRecord.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new SigstormError(
        `${file}:${index + 1}: not an iteration record (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
        { hint: 'The file was written by another sigstorm version or edited; rerun the storm.' },
      );
    }
    records.push(result.data);
  }
  return records;
}
