import { Connection, mongo } from 'mongoose';
import { SendRateLimiter } from '../../../../application/ports/send-rate-limiter.port';

/** One per sender number and rate: the last send slot handed out. */
interface PacerDocument {
  /** `<sender number>@<per second>`: a changed rate starts its own slot grid. */
  _id: string;
  slot: number;
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

/**
 * Per-number send pacing held in the database, shared by every instance. Time is cut into
 * slots `spacing` ms apart; each send takes the next slot of its number with one `$inc`, so
 * two senders never get the same slot and any sliding second holds at most `perSecond` of
 * them. Before that, `$max` brings an idle number's counter up to now, so a quiet number
 * does not owe slots from the past. Both are single atomic updates.
 */
export class MongooseSendPermits implements SendRateLimiter {
  private readonly collection: mongo.Collection<PacerDocument>;
  private readonly guardMs: number;
  private readonly now: () => number;

  constructor(connection: Connection, options: SendPermitOptions = {}) {
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    this.collection = db.collection<PacerDocument>('send_pacers');
    this.guardMs = options.guardMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  async reserve(senderNumber: string, perSecond: number): Promise<Date> {
    const spacing = (1000 + this.guardMs) / perSecond;
    const _id = `${senderNumber}@${perSecond}`;
    // The slot before the first one that may still start now.
    const current = Math.ceil(this.now() / spacing) - 1;
    await this.collection.updateOne({ _id }, { $max: { slot: current } }, { upsert: true });
    // The document as it was before this caller's own increment, plus one: mongo-java-server may
    // answer `returnDocument: 'after'` with a state that later increments already changed.
    const before = await this.collection.findOneAndUpdate({ _id }, { $inc: { slot: 1 } }, { returnDocument: 'before' });
    if (before === null) throw new Error(`send pacer of ${senderNumber} vanished`);
    return new Date(Math.ceil((before.slot + 1) * spacing));
  }
}
