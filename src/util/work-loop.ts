import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What one turn of a work loop did: `again` looks at the work once more at once (it did something,
 * more may be waiting); a number sleeps that many milliseconds, or until `notify()`.
 */
export type Turn = 'again' | number;

/**
 * The App's background loops (the executor, the delivery processor, the Actions follower): each turn
 * looks at the work in the store; between turns the loop sleeps until its poll interval passes or
 * `notify()` says new work arrived. A notify during a turn is not lost: the next sleep returns at once.
 * `stop()` lets the turn in hand finish, then ends the loop. A subclass says what one turn does.
 */
export abstract class WorkLoop {
  #wake = new AbortController();
  #rung = false;
  #stopping = false;
  #loop: Promise<void> | undefined;

  /** One look at the work. */
  protected abstract turn(): Promise<Turn>;

  start(): void {
    this.#loop ??= this.#run();
  }

  notify(): void {
    this.#rung = true;
    this.#wake.abort();
  }

  /** True once `stop()` was called: a long turn checks it between its steps. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Ends the loop after the turn in hand; resolves when it has ended. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.notify();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      // Rings from here on wake the next sleep.
      this.#rung = false;
      const next = await this.turn();
      if (this.#stopping) break;
      if (next !== 'again') await this.#sleep(next);
    }
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#rung) return;
    this.#wake = new AbortController();
    try {
      await sleep(ms, undefined, { signal: this.#wake.signal });
    } catch {
      // Rung: look at the work now.
    }
  }
}
