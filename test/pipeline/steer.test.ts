import { describe, expect, it } from 'vitest';
import { aimsAtOtherThreads, exercisesVanishingPeer } from '../../src/pipeline/steer.js';
import { resolveStormWorkload } from '../../src/workload/load.js';

describe('steering to the cells a risky disposition change needs', () => {
  it('peer-killed and peer-stalled exercise a vanishing peer; signals at the judged side do not', async () => {
    const names = [
      'peer-killed',
      'peer-stalled',
      'persistent-server-client-killed',
      'server-burst',
      'client-stream-sigterm',
    ];
    const exercised = [];
    for (const name of names) {
      if (exercisesVanishingPeer((await resolveStormWorkload(name)).workload)) exercised.push(name);
    }
    expect(exercised).toEqual(['peer-killed', 'peer-stalled', 'persistent-server-client-killed']);
  });

  it('with the signal-mask finding, the cells that aim a termination signal at a stream thread', async () => {
    const names = ['client-stream-sigterm', 'server-stream-sigterm', 'server-burst', 'peer-stalled'];
    const aimed = [];
    for (const name of names) {
      if (aimsAtOtherThreads((await resolveStormWorkload(name)).workload)) aimed.push(name);
    }
    expect(aimed).toEqual(['client-stream-sigterm', 'server-stream-sigterm']);
  });
});
