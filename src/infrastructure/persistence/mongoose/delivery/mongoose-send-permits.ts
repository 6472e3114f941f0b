import { Connection, mongo } from 'mongoose';
import { SendRateLimiter } from '../../../../application/ports/send-rate-limiter.port';
import { isDuplicateKeyError } from '../mongo-errors';

interface PermitDocument {
  /** `<sender number>:<slot>`: the unique key that makes one slot one send, across instances. */
  _id: string;
  number: string;
  slot: number;
  /** When the send of this slot may start. */
  at: Date;
}

export interface SendPermitOptions {
  /**
   * Extra room per 1-second window: slots are `(1000 + guardMs) / perSecond` ms apart, so the
   * scheduling delay of one send (timers, network) cannot squeeze N+1 sends into a second
   * as Twilio counts them. Default 100 ms (10%).
   */
  readonly guardMs?: number;
  readonly now?: () => number;
}

const MAX_TRIES = 50;

/**
 * Per-number send pacing held in the database: each send takes a numbered time slot by a
 * unique insert (FerretDB enforces unique keys; its conditional updates are not atomic, so
 * no counters). Slots are evenly spaced, so any sliding 1-second window holds at most
 * `perSecond` slots. A taken slot sends the caller to the newest slot of the number + 1.
 */
export class MongooseSendPermits implements SendRateLimiter {
  private readonly collection: mongo.Collection<PermitDocument>;
  private readonly guardMs: number;
  private readonly now: () => number;
  /** Next slot this process expects to be free, per number: saves a failed insert per send. */
  private readonly hints = new Map<string, number>();

  constructor(connection: Connection, options: SendPermitOptions = {}) {
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    this.collection = db.collection<PermitDocument>('send_permits');
    this.guardMs = options.guardMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  async reserve(senderNumber: string, perSecond: number): Promise<Date> {
    const spacing = (1000 + this.guardMs) / perSecond;
    let slot = Math.max(Math.ceil(this.now() / spacing), this.hints.get(senderNumber) ?? 0);
    for (let tries = 0; tries < MAX_TRIES; tries += 1) {
      const at = new Date(Math.ceil(slot * spacing));
      try {
        await this.collection.insertOne({ _id: `${senderNumber}:${slot}`, number: senderNumber, slot, at });
        this.hints.set(senderNumber, slot + 1);
        return at;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const newest = await this.collection.findOne({ number: senderNumber }, { sort: { slot: -1 }, projection: { slot: 1 } });
        slot = Math.max(slot + 1, (newest?.slot ?? 0) + 1, Math.ceil(this.now() / spacing));
      }
    }
    throw new Error(`no send slot for ${senderNumber} after ${MAX_TRIES} tries`);
  }

  /** Past slots are never contended again. */
  async prune(olderThan: Date): Promise<number> {
    return (await this.collection.deleteMany({ at: { $lt: olderThan } })).deletedCount;
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ number: 1, slot: -1 }, { name: 'send_permit_number_slot' });
    await this.collection.createIndex({ at: 1 }, { name: 'send_permit_at' });
  }
}
