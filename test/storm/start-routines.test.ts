import { describe, expect, it } from 'vitest';
import { parseStartRoutines } from '../../src/storm/threads/start-routines.js';
import { threadNames } from '../../src/storm/threads/thread-names.js';

describe('threads named by their start routine', () => {
  it('reads the outermost own frame below start_thread, past sanitizer runtime frames; main has none', () => {
    const text = [
      'PID 10 - process',
      'TID 10:',
      '#0  0x00007fb0fef1c9ec __select',
      '#1  0x000055c1d79be947 main',
      'TID 11:',
      '#0  0x00007fb0feeed545 clock_nanosleep@GLIBC_2.2.5',
      '#1  0x000055c1d79bfcb4 iperf_check_throttle.part.0',
      '#2  0x000055c1d79cb275 iperf_client_worker_run',
      '#3  0x00007fb0feea71f5 start_thread',
      '#4  0x00007fb0fef278ec __clone3',
      'TID 12:',
      '#0  0x00007fb0feeed545 pause',
      '#1  0x000055c1d79cb111 idle_reporter',
      '#2  0x00007f0000001234 asan_thread_start',
      '#3  0x00007fb0feea71f5 start_thread',
      'TID 13:',
      '#0  0x00007fb0feeed545 pause',
      '#1  0x000055c1d79cb999',
      '#2  0x00007fb0feea71f5 start_thread',
    ].join('\n');
    const starts = parseStartRoutines(text);
    expect(starts.get(10)).toBeUndefined();
    expect(starts.get(11)).toBe('iperf_client_worker_run');
    expect(starts.get(12)).toBe('idle_reporter');
    // Not named (a binary only the sandbox sees): its address, for addr2line through /proc/PID/root.
    expect(starts.get(13)).toBe(0x55c1d79cb999n);
  });

  it('names rows main, start routine (numbered when shared) or role', () => {
    expect(
      threadNames([
        { role: 'main', start: undefined },
        { role: 'thread-1', start: 'idle_reporter' },
        { role: 'thread-2', start: 'worker' },
        { role: 'thread-3', start: 'worker' },
        { role: 'thread-4' },
      ]),
    ).toEqual(['main', 'idle_reporter', 'worker #1', 'worker #2', 'thread-4']);
  });
});
