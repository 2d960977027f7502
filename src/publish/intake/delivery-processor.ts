import { Doorbell } from '../../util/doorbell.js';
import { retryDelayMs } from '../executor/backoff.js';
import type { Services } from '../services.js';
import type { StoredDelivery } from '../store/delivery-store.js';

/**
 * Processes stored deliveries in the order they arrived, one at a time, outside the webhook request.
 * A handler that fails (GitHub's 5xx or 429, the network) is retried with backoff, honouring
 * Retry-After, up to `deliveryAttempts`; meanwhile later deliveries go on. A delivery that was stored
 * but not processed when the app died is processed at the next start.
 */
export class DeliveryProcessor {
  readonly #services: () => Services;
  readonly #handle: (delivery: StoredDelivery) => Promise<void>;
  readonly #bell = new Doorbell();
  #stopping = false;
  #loop: Promise<void> | undefined;

  constructor(services: () => Services, handle: (delivery: StoredDelivery) => Promise<void>) {
    this.#services = services;
    this.#handle = handle;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  notify(): void {
    this.#bell.ring();
  }

  /** Finishes the delivery in hand, then stops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.notify();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { store, log, settings } = this.#services();
    while (!this.#stopping) {
      this.#bell.clear();
      const delivery = store.deliveries.next();
      if (!delivery) {
        const due = store.deliveries.nextDue();
        const wait = due
          ? Math.max(10, Math.min(settings.pollIntervalMs, due.getTime() - Date.now()))
          : settings.pollIntervalMs;
        await this.#bell.wait(wait);
        continue;
      }
      try {
        await this.#handle(delivery);
        store.deliveries.done(delivery.id);
      } catch (error) {
        const attempt = delivery.attempts + 1;
        const last = attempt >= settings.deliveryAttempts;
        const nextAt = last ? undefined : new Date(Date.now() + retryDelayMs(error, attempt));
        store.deliveries.failed(delivery.id, String(error), nextAt);
        log[last ? 'error' : 'warn'](
          { err: error, delivery: delivery.id, event: delivery.name, attempt, nextAt },
          last ? 'sigstorm: gave up on a delivery' : 'sigstorm: delivery failed; retrying later',
        );
      }
    }
  }
}
