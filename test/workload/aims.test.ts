import { describe, expect, it } from 'vitest';
import { recordAims } from '../../src/compare/observe-side.js';
import type { IterationRecord } from '../../src/storm/record.js';
import { workloadAims } from '../../src/workload/aims.js';
import { resolveStormWorkload } from '../../src/workload/load.js';

const aimsOf = async (name: string) => workloadAims((await resolveStormWorkload(name)).workload);

describe('what a cell aims at, for the census findings', () => {
  it('a SIGKILLed peer of the judged process is a vanishing peer, whichever step sends it', async () => {
    const names = [
      'peer-killed',
      'peer-stalled',
      'client-peer-lost',
      'persistent-server-client-killed',
      'server-burst',
      'client-stream-sigterm',
    ];
    const exercised = [];
    for (const name of names) if ((await aimsOf(name)).includes('vanishing-peer')) exercised.push(name);
    expect(exercised).toEqual([
      'peer-killed',
      'peer-stalled',
      'client-peer-lost',
      'persistent-server-client-killed',
    ]);
  });

  it('a termination signal aimed with tgkill at a thread other than main aims at other threads', async () => {
    const names = ['client-stream-sigterm', 'server-stream-sigterm', 'server-burst', 'peer-stalled'];
    const aimed = [];
    for (const name of names) if ((await aimsOf(name)).includes('other-threads')) aimed.push(name);
    expect(aimed).toEqual(['client-stream-sigterm', 'server-stream-sigterm']);
  });

  it('records say the same from the signals as delivered, each with its process', () => {
    const record = (signals: IterationRecord['signals']) =>
      ({ target: { side: 'client' }, signals }) as unknown as IterationRecord;
    const step = { gapMs: 0, atMs: 0, delivered: true } as const;
    expect(
      recordAims([
        record([
          { ...step, signal: 'SIGSTOP', to: 'client' },
          { ...step, signal: 'SIGKILL', to: 'server' },
        ]),
      ]),
    ).toEqual(['vanishing-peer']);
    // A SIGKILL of the judged process itself, or an older record that does not name the process: no aim.
    expect(recordAims([record([{ ...step, signal: 'SIGKILL', to: 'client' }])])).toEqual([]);
    expect(recordAims([record([{ ...step, signal: 'SIGKILL' }])])).toEqual([]);
    expect(recordAims([record([{ ...step, signal: 'SIGTERM', to: 'client', thread: 'stream' }])])).toEqual([
      'other-threads',
    ]);
  });
});
