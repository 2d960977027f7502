import type Database from 'better-sqlite3';
import { z } from 'zod';

/** A webhook delivery as stored: GitHub's delivery id (X-GitHub-Delivery), event name and payload. */
export interface StoredDelivery {
  readonly seq: number;
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  readonly receivedAt: string;
  readonly attempts: number;
}

const deliveryStatuses = ['pending', 'done', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

interface Row {
  seq: number;
  id: string;
  name: string;
  payload: string;
  received_at: string;
  status: string;
  attempts: number;
}

/**
 * Deliveries are stored before they are answered (so GitHub's 10 s never depend on GitHub's API)
 * and processed from here, with retries: a 5xx, a 429 or a crash between receipt and processing
 * loses nothing. A redelivery (same id) is stored once.
 */
export class DeliveryStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Stores a delivery; false when this id was stored before (a redelivery). */
  receive(id: string, name: string, payload: unknown, now = new Date()): boolean {
    const at = now.toISOString();
    const info = this.#db
      .prepare(
        `INSERT INTO deliveries (id, name, payload, received_at, status, next_at)
         VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(id, name, JSON.stringify(payload), at, at);
    return info.changes === 1;
  }

  /** The oldest pending delivery whose time has come (a delivery waiting for a retry does not hold others up). */
  next(now = new Date()): StoredDelivery | undefined {
    const row = this.#db
      .prepare(`SELECT * FROM deliveries WHERE status = 'pending' AND next_at <= ? ORDER BY seq LIMIT 1`)
      .get(now.toISOString()) as Row | undefined;
    return row ? toDelivery(row) : undefined;
  }

  /** When the next pending delivery is due, if any. */
  nextDue(): Date | undefined {
    const row = this.#db
      .prepare(`SELECT MIN(next_at) AS at FROM deliveries WHERE status = 'pending'`)
      .get() as { at: string | null };
    return row.at === null ? undefined : new Date(row.at);
  }

  done(id: string): void {
    this.#db.prepare(`UPDATE deliveries SET status = 'done', note = NULL WHERE id = ?`).run(id);
  }

  /** A processing attempt failed: try again at `nextAt`, or give up (`failed`) after the last attempt. */
  failed(id: string, note: string, nextAt: Date | undefined): void {
    this.#db
      .prepare(
        `UPDATE deliveries SET attempts = attempts + 1, note = ?,
           status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END, next_at = COALESCE(?, next_at)
         WHERE id = ?`,
      )
      .run(note, nextAt?.toISOString() ?? null, nextAt?.toISOString() ?? null, id);
  }

  get(id: string): (StoredDelivery & { status: DeliveryStatus; note: string | null }) | undefined {
    const row = this.#db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as
      | (Row & { note: string | null })
      | undefined;
    return row
      ? { ...toDelivery(row), status: z.enum(deliveryStatuses).parse(row.status), note: row.note }
      : undefined;
  }

  /** When a delivery was received (for "did this happen before that?"), undefined if unknown. */
  receivedAt(id: string): string | undefined {
    const row = this.#db.prepare('SELECT received_at FROM deliveries WHERE id = ?').get(id) as
      | { received_at: string }
      | undefined;
    return row?.received_at;
  }

  count(status: DeliveryStatus): number {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM deliveries WHERE status = ?').get(status) as {
      n: number;
    };
    return row.n;
  }

  /**
   * Runs a side effect of a delivery (a reply, a reaction) once: a retry of the same delivery, after a
   * later step failed, does not post it again. Marked after it succeeded: a crash in between may repeat it.
   */
  async once(deliveryId: string, effect: string, run: () => Promise<void>): Promise<boolean> {
    const seen = this.#db
      .prepare('SELECT 1 FROM effects WHERE delivery_id = ? AND effect = ?')
      .get(deliveryId, effect);
    if (seen) return false;
    await run();
    this.#db
      .prepare('INSERT INTO effects (delivery_id, effect, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(deliveryId, effect, new Date().toISOString());
    return true;
  }

  /** Effects recorded for any delivery since `since` under this key prefix (per-user rate limits). */
  effectsSince(prefix: string, since: Date): number {
    const row = this.#db
      .prepare('SELECT COUNT(*) AS n FROM effects WHERE effect LIKE ? AND at >= ?')
      .get(`${prefix}%`, since.toISOString()) as { n: number };
    return row.n;
  }
}

function toDelivery(row: Row): StoredDelivery {
  return {
    seq: row.seq,
    id: row.id,
    name: row.name,
    payload: JSON.parse(row.payload),
    receivedAt: row.received_at,
    attempts: row.attempts,
  };
}
