import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { readZipEntry, ZipError, zipEntryNames } from '../../src/util/zip.js';
import { writeZip } from '../support/zip-writer.js';

const limits = { maxEntryBytes: 1024 * 1024, maxEntries: 16 };
const blob = JSON.stringify({ kind: 'sigstorm-shard', filler: 'x'.repeat(5000) });

describe('the strict zip reader', () => {
  it('reads stored, deflated and data-descriptor entries', () => {
    for (const zip of [
      writeZip([{ name: 'shard-1-of-2.json', data: blob, method: 'store' }]),
      writeZip([{ name: 'shard-1-of-2.json', data: blob, method: 'deflate' }]),
      writeZip([{ name: 'shard-1-of-2.json', data: blob }], { descriptor: true }),
    ]) {
      expect(zipEntryNames(zip, limits)).toEqual(['shard-1-of-2.json']);
      expect(readZipEntry(zip, 'shard-1-of-2.json', limits).toString()).toBe(blob);
    }
  });

  it('reads what the zip command writes, and zip reads what the test writer writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigstorm-zip-'));
    try {
      await writeFile(join(dir, 'shard-2-of-2.json'), blob);
      await execa('zip', ['-q', '-X', 'made.zip', 'shard-2-of-2.json'], { cwd: dir });
      const made = await readFile(join(dir, 'made.zip'));
      expect(readZipEntry(made, 'shard-2-of-2.json', limits).toString()).toBe(blob);
      await writeFile(
        join(dir, 'ours.zip'),
        writeZip([{ name: 'a.json', data: blob }], { descriptor: true }),
      );
      const { stdout } = await execa('unzip', ['-p', 'ours.zip', 'a.json'], { cwd: dir });
      expect(stdout).toBe(blob);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses unsafe entry names anywhere in the archive, before reading any entry', () => {
    for (const [name, why] of [
      ['../shard-1-of-2.json', 'a .. segment'],
      ['/etc/shard-1-of-2.json', 'absolute'],
      ['a\\..\\b.json', 'a backslash'],
      ['C:/x.json', 'a drive letter'],
    ] as const) {
      const zip = writeZip([
        { name: 'shard-1-of-2.json', data: blob },
        { name, data: 'evil' },
      ]);
      expect(() => readZipEntry(zip, 'shard-1-of-2.json', limits)).toThrow(
        new ZipError(`entry ${JSON.stringify(name)} has an unsafe path (${why})`),
      );
    }
  });

  it('refuses a missing entry, a bad CRC, an entry over the size limit and a deflate bomb', () => {
    const zip = writeZip([{ name: 'shard-1-of-2.json', data: blob, method: 'store' }]);
    expect(() => readZipEntry(zip, 'shard-2-of-2.json', limits)).toThrow('the archive has no entry');
    const tampered = Buffer.from(zip);
    // A byte of the stored data (after the 30-byte local header and the name).
    tampered[60] = (tampered[60] ?? 0) ^ 0xff;
    expect(() => readZipEntry(tampered, 'shard-1-of-2.json', limits)).toThrow('fails its CRC-32 check');
    expect(() => readZipEntry(zip, 'shard-1-of-2.json', { ...limits, maxEntryBytes: 100 })).toThrow(
      'more than',
    );
    // A directory entry that lies about its size: the inflate stops at the limit.
    const bomb = writeZip([{ name: 'b.json', data: Buffer.alloc(4 * 1024 * 1024) }]);
    const lying = Buffer.from(bomb);
    const central = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(10, central + 24);
    expect(() => readZipEntry(lying, 'b.json', limits)).toThrow('does not inflate');
    expect(() => zipEntryNames(Buffer.from('not a zip at all, just text'), limits)).toThrow(
      'not a zip archive',
    );
  });
});
