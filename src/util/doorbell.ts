import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How a polling loop sleeps: until its poll interval passes or someone rings (new work arrived).
 * A ring between `clear()` and `wait()` is not lost: `wait()` then returns at once.
 */
export class Doorbell {
  #wake = new AbortController();
  #rung = false;

  ring(): void {
    this.#rung = true;
    this.#wake.abort();
  }

  /** Called before each look at the work: rings after this wake the next wait. */
  clear(): void {
    this.#rung = false;
  }

  async wait(ms: number): Promise<void> {
    if (this.#rung) return;
    this.#wake = new AbortController();
    try {
      await sleep(ms, undefined, { signal: this.#wake.signal });
    } catch {
      // Rung: look at the work now.
    }
  }
}
