import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';

/**
 * Webhook deliveries as GitHub makes them: payloads from @octokit/webhooks-examples (GitHub's own
 * examples), signed with the App's webhook secret (X-Hub-Signature-256) and POSTed over HTTP.
 */

export type EventName = WebhookDefinition['name'];
/** The payload type of an event, as @octokit/webhooks-examples types its examples. */
export type Payload<E extends EventName> = WebhookDefinition<E>['examples'][number];

const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as readonly WebhookDefinition[];

/** A deep copy of the first example of `event` with `action` (and `where`, if given). */
export function webhookExample<E extends EventName>(
  event: E,
  action: string | undefined,
  where?: (payload: Payload<E>) => boolean,
): Payload<E> {
  const definition = definitions.find((d): d is WebhookDefinition<E> => d.name === event);
  const example = definition?.examples.find(
    (e) =>
      (action === undefined || ('action' in e && e.action === action)) && (where === undefined || where(e)),
  );
  if (!example)
    throw new Error(`@octokit/webhooks-examples has no ${event}${action ? `.${action}` : ''} example`);
  return structuredClone(example);
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface Delivery {
  readonly id: string;
  readonly status: number;
  readonly text: string;
  readonly ms: number;
}

/** POSTs a delivery to the app; pass `id` to redeliver (GitHub keeps the delivery id on redelivery). */
export async function deliver(
  url: string,
  secret: string,
  event: EventName,
  payload: object,
  id: string = randomUUID(),
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/standin',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-id': '1',
      'x-hub-signature-256': sign(secret, body),
    },
    body,
  });
  return { id, status: response.status, text: await response.text(), ms: Date.now() - started };
}
