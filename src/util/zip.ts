import { crc32, inflateRawSync } from 'node:zlib';
import { formatSize } from './size.js';

/**
 * A small, strict reader of zip archives (what GitHub serves for an Actions artifact), for data
 * from an untrusted source: stored and deflated entries only, no zip64, no encryption, sizes and
 * CRC-32 checked against the central directory, every entry name checked before anything is read.
 * Nothing is ever written to disk under an entry's name: the caller picks the entry it expects.
 */

export class ZipError extends Error {}

export interface ZipLimits {
  /** An entry that inflates to more than this is refused (before it is inflated in full). */
  readonly maxEntryBytes: number;
  /** Archives with more entries than this are refused. */
  readonly maxEntries: number;
}

interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

const eocdSignature = 0x06054b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;

/** The names of the archive's entries; throws `ZipError` for a malformed archive or an unsafe name. */
export function zipEntryNames(zip: Buffer, limits: ZipLimits): string[] {
  return centralDirectory(zip, limits).map((e) => e.name);
}

/** The contents of entry `name`; throws `ZipError` when it is missing, unsafe or does not check out. */
export function readZipEntry(zip: Buffer, name: string, limits: ZipLimits): Buffer {
  const entry = centralDirectory(zip, limits).find((e) => e.name === name);
  if (!entry) throw new ZipError(`the archive has no entry ${name}`);
  if (entry.flags & 0x1) throw new ZipError(`${name} is encrypted`);
  if (entry.size > limits.maxEntryBytes) {
    throw new ZipError(`${name} is ${formatSize(entry.size)}, more than ${formatSize(limits.maxEntryBytes)}`);
  }
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== localSignature) {
    throw new ZipError(`${name}: no local header where the central directory says`);
  }
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new ZipError(`${name}: its data runs past the end of the archive`);
  const raw = zip.subarray(start, end);
  let data: Buffer;
  if (entry.method === 0) {
    data = Buffer.from(raw);
  } else if (entry.method === 8) {
    try {
      // Bounded: a deflate bomb stops at the limit instead of filling memory.
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, limits.maxEntryBytes) });
    } catch (error) {
      throw new ZipError(
        `${name} does not inflate (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  } else {
    throw new ZipError(`${name} uses compression method ${entry.method} (only stored and deflate are read)`);
  }
  if (data.length !== entry.size) {
    throw new ZipError(`${name} is ${data.length} bytes, not the ${entry.size} its directory entry says`);
  }
  if (crc32(data) >>> 0 !== entry.crc >>> 0) throw new ZipError(`${name} fails its CRC-32 check`);
  return data;
}

function centralDirectory(zip: Buffer, limits: ZipLimits): CentralEntry[] {
  const eocd = findEndOfDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  if (zip.readUInt16LE(eocd + 4) !== 0 || zip.readUInt16LE(eocd + 6) !== 0) {
    throw new ZipError('a multi-disk archive');
  }
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new ZipError('a zip64 archive (a shard blob is far smaller)');
  }
  if (count > limits.maxEntries) throw new ZipError(`${count} entries, more than ${limits.maxEntries}`);
  if (offset + size > eocd) throw new ZipError('the central directory runs past its end record');
  const entries: CentralEntry[] = [];
  const seen = new Set<string>();
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > offset + size || zip.readUInt32LE(at) !== centralSignature) {
      throw new ZipError(`central directory entry ${i + 1} is malformed`);
    }
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (next > offset + size) throw new ZipError(`central directory entry ${i + 1} runs past the directory`);
    const flags = zip.readUInt16LE(at + 8);
    // Bit 11: the name is UTF-8; otherwise CP437, which agrees with UTF-8 on the safe names accepted.
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    const unsafe = unsafeName(name);
    if (unsafe) throw new ZipError(`entry ${JSON.stringify(name)} has an unsafe path (${unsafe})`);
    if (seen.has(name)) throw new ZipError(`entry ${name} appears twice`);
    seen.add(name);
    entries.push({
      name,
      flags,
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    });
    at = next;
  }
  return entries;
}

function findEndOfDirectory(zip: Buffer): number {
  // The end record is 22 bytes plus a comment of at most 65,535.
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === eocdSignature && at + 22 + zip.readUInt16LE(at + 20) === zip.length)
      return at;
  }
  throw new ZipError('not a zip archive (no end of central directory record)');
}

/** Why an entry name could escape or confuse an extraction directory, or null when it cannot. */
export function unsafeName(name: string): string | null {
  if (name.length === 0) return 'empty';
  if (name.includes('\0')) return 'a NUL byte';
  if (name.includes('\\')) return 'a backslash';
  if (name.startsWith('/')) return 'absolute';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  if (name.split('/').some((part) => part === '..')) return 'a .. segment';
  return null;
}
