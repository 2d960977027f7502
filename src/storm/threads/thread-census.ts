import { readdirSync, readFileSync } from 'node:fs';
import { isErrno } from '../../util/file-lock.js';
import type { CensusThread, ThreadCensus } from './census.schema.js';
import { decodeMask } from './signal-set.js';

/**
 * Reads every thread's signal state from /proc, synchronously: it runs right before the first
 * signal, and nothing else of the harness may run in between. `null` when the process is gone.
 * A thread that exits during the read is left out (it can no longer take a signal).
 */
export function takeCensus(pid: number, starts?: ReadonlyMap<number, string>): ThreadCensus | null {
  let tids: number[];
  try {
    tids = readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .filter((tid) => Number.isInteger(tid))
      .sort((a, b) => a - b);
  } catch (error) {
    if (gone(error)) return null;
    throw error;
  }
  let processWide: Record<string, string> | null = null;
  const threads: CensusThread[] = [];
  let others = 0;
  for (const tid of tids) {
    const fields = readStatus(pid, tid);
    if (!fields) continue;
    processWide ??= fields;
    // Tids grow with creation (until pid_max wraps): tid order is creation order.
    const role = tid === pid ? 'main' : `thread-${++others}`;
    const start = starts?.get(tid);
    threads.push({
      tid,
      role,
      name: readText(`/proc/${pid}/task/${tid}/comm`)?.trim() ?? '',
      ...(start ? { start } : {}),
      blocked: decodeMask(fields.SigBlk ?? '0'),
      pending: decodeMask(fields.SigPnd ?? '0'),
      wchan: readText(`/proc/${pid}/task/${tid}/wchan`)?.trim() ?? '',
    });
  }
  if (!processWide) return null;
  return {
    pid,
    caught: decodeMask(processWide.SigCgt ?? '0'),
    ignored: decodeMask(processWide.SigIgn ?? '0'),
    sharedPending: decodeMask(processWide.ShdPnd ?? '0'),
    threads,
  };
}

/** The `Key:\tvalue` lines of a status file; `null` when the thread has exited. */
function readStatus(pid: number, tid: number): Record<string, string> | null {
  const text = readText(`/proc/${pid}/task/${tid}/status`);
  if (text === null) return null;
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return fields;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (gone(error)) return null;
    throw error;
  }
}

/** The process or thread has exited: its /proc entries are gone (ENOENT) or refuse reads (ESRCH). */
function gone(error: unknown): boolean {
  return isErrno(error, 'ENOENT') || isErrno(error, 'ESRCH');
}
