import { describe, expect, it } from 'vitest';
import { type Turn, WorkLoop } from '../../src/util/work-loop.js';

const hour = 3_600_000;

/** A loop whose turn is the function given. */
class Loop extends WorkLoop {
  readonly #turn: (loop: Loop) => Promise<Turn>;
  constructor(turn: (loop: Loop) => Promise<Turn>) {
    super();
    this.#turn = turn;
  }
  protected turn(): Promise<Turn> {
    return this.#turn(this);
  }
}

/** A promise with its resolve function outside. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Waits until `check` holds, for at most two seconds. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the background work loop', () => {
  it('sleeps its poll interval between turns and wakes at once on notify', async () => {
    let turns = 0;
    const loop = new Loop(async () => {
      turns += 1;
      return hour;
    });
    loop.start();
    await until(() => turns === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(turns).toBe(1);
    loop.notify();
    await until(() => turns === 2);
    await loop.stop();
    expect(turns).toBe(2);
  });

  it('does not lose a notify that arrives while a turn is in hand', async () => {
    let turns = 0;
    const first = gate();
    const loop = new Loop(async () => {
      turns += 1;
      if (turns === 1) await first.promise;
      return hour;
    });
    loop.start();
    await until(() => turns === 1);
    loop.notify();
    first.open();
    await until(() => turns === 2);
    await loop.stop();
  });

  it('runs the next turn at once after `again`', async () => {
    const answers: Turn[] = ['again', 'again', hour];
    let turns = 0;
    const loop = new Loop(async () => answers[turns++] ?? hour);
    loop.start();
    await until(() => turns === 3);
    await loop.stop();
    expect(turns).toBe(3);
  });

  it('lets the turn in hand finish when stopped, and reports stopping to it', async () => {
    const inTurn = gate();
    const release = gate();
    let sawStopping = false;
    let turns = 0;
    const loop = new Loop(async (self) => {
      turns += 1;
      inTurn.open();
      await release.promise;
      sawStopping = self.stopping;
      return 'again';
    });
    loop.start();
    await inTurn.promise;
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    release.open();
    await stopping;
    expect(sawStopping).toBe(true);
    expect(turns).toBe(1);
  });
});
