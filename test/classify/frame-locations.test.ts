import { describe, expect, it } from 'vitest';
import { frameLocations, inTreeCandidate } from '../../src/classify/frame-locations.js';
import { asanSegvReport, hangBacktrace, tsanSignalUnsafe } from '../support/report-fixtures.js';

describe('frameLocations', () => {
  it('reads file:line frames of sanitizer reports, with and without addresses', () => {
    expect(frameLocations(asanSegvReport).slice(0, 3)).toEqual([
      { function: 'iperf_send_stream', path: 'src/iperf_api.c', line: 1893 },
      { function: 'worker_thread', path: 'src/iperf_client_api.c', line: 212 },
      { function: 'start_thread', path: 'nptl/pthread_create.c', line: 442 },
    ]);
    expect(frameLocations(tsanSignalUnsafe).map((f) => `${f.function} ${f.path}:${f.line}`)).toEqual([
      'malloc ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:647',
      'iperf_err src/iperf_error.c:66',
      'sig_handler src/main.c:141',
      'worker_thread src/iperf_client_api.c:208',
    ]);
  });

  it('reads gdb frames', () => {
    expect(frameLocations(hangBacktrace)).toContainEqual({
      function: 'sig_handler',
      path: 'src/main.c',
      line: 143,
    });
    expect(
      frameLocations(
        '#4  0x00005637b4cb2e54 in iperf_stop_workers (test=test@entry=0x5637b4cefc40 <the_test>, how=how@entry=2) at src/stream.c:138',
      ),
    ).toEqual([{ function: 'iperf_stop_workers', path: 'src/stream.c', line: 138 }]);
  });

  it('takes only relative paths inside the tree as candidates', () => {
    expect(inTreeCandidate('src/signals.c')).toBe(true);
    expect(inTreeCandidate('./nptl/futex-internal.c')).toBe(false);
    expect(inTreeCandidate('../../../../src/libsanitizer/x.cpp')).toBe(false);
    expect(inTreeCandidate('/usr/include/stdio.h')).toBe(false);
  });
});
