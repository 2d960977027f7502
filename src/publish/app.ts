import type { ApplicationFunction } from 'probot';
import { isHandled } from './intake/dispatch.js';
import type { Services } from './services.js';

/**
 * The Probot app: a delivery is verified by Probot, stored (keyed by its X-GitHub-Delivery id) and
 * answered at once; nothing here calls GitHub, so GitHub failing cannot lose it. The delivery
 * processor runs the handlers from the store (`intake/`).
 */
export function sigstormApp(services: Services, stored: () => void): ApplicationFunction {
  return (app) => {
    app.onAny((context) => {
      if (!isHandled(context.name, context.payload)) return;
      const fresh = services.store.deliveries.receive(context.id, context.name, context.payload);
      if (!fresh)
        services.log.info({ delivery: context.id }, 'sigstorm: delivery seen before; not processed again');
      stored();
    });
  };
}
