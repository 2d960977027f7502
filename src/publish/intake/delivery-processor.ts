import { type Turn, WorkLoop } from '../../util/work-loop.js';
import { retryDelayMs } from '../executor/backoff.js';
import type { Services } from '../services.js';
import type { StoredDelivery } from '../store/delivery-store.js';

/**
 * Processes stored deliveries in the order they arrived, one at a time, outside the webhook request.
 * A handler that fails (GitHub's 5xx or 429, the network) is retried with backoff, honouring
 * Retry-After, up to `deliveryAttempts`; meanwhile later deliveries go on. A delivery that was stored
 * but not processed when the app died is processed at the next start. `stop()` finishes the delivery
 * in hand first.
 */
export class DeliveryProcessor extends WorkLoop {
  readonly #services: () => Services;
  readonly #handle: (delivery: StoredDelivery) => Promise<void>;

  constructor(services: () => Services, handle: (delivery: StoredDelivery) => Promise<void>) {
    super();
    this.#services = services;
    this.#handle = handle;
  }

  /** Processes the next delivery due, or sleeps until one is due (at most a poll interval). */
  protected async turn(): Promise<Turn> {
    const { store, log, settings } = this.#services();
    const delivery = store.deliveries.next();
    if (!delivery) {
      const due = store.deliveries.nextDue();
      return due
        ? Math.max(10, Math.min(settings.pollIntervalMs, due.getTime() - Date.now()))
        : settings.pollIntervalMs;
    }
    try {
      await this.#handle(delivery);
      store.deliveries.done(delivery.id);
    } catch (error) {
      const attempt = delivery.attempts + 1;
      const last = attempt >= settings.deliveryAttempts;
      const nextAt = last ? undefined : new Date(Date.now() + retryDelayMs(error, attempt, settings.retry));
      store.deliveries.failed(delivery.id, String(error), nextAt);
      log[last ? 'error' : 'warn'](
        { err: error, delivery: delivery.id, event: delivery.name, attempt, nextAt },
        last ? 'sigstorm: gave up on a delivery' : 'sigstorm: delivery failed; retrying later',
      );
    }
    return 'again';
  }
}
