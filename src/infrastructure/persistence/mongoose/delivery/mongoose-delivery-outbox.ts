import { Connection, mongo } from 'mongoose';
import { DeliveryCandidate, DeliveryOutbox } from '../../../../application/ports/delivery-outbox.port';
import { Message } from '../../../../domain/message/message';
import { ConcurrencyError } from '../../../../domain/shared/domain-error';
import { toMessageDocument } from '../message/message.mapper';
import { StoredMessageDocument, messageModel } from '../message/message.schema';
import { isDuplicateKeyError } from '../mongo-errors';
import { writeVersioned } from '../versioned-write';
import { WriteSlots } from '../write-slots';

const PENDING = ['queued', 'sending'];
const CANDIDATE_FIELDS = { _id: 1, companyId: 1, ticketId: 1, version: 1, status: 1, nextAttemptAt: 1, leaseExpiresAt: 1, parkedUntil: 1 } as const;
const OLDEST_FIRST = { createdAt: 1, _id: 1 } as const;
const UNPARKED = new Date(0);

interface ClaimDocument {
  /** `<message id>:<version the claim creates>`. */
  _id: string;
  takenAt: Date;
}

/**
 * The delivery outbox on the messages collection. Every write is the versioned write of
 * MessageRepository.save plus outbox fields, so claims, hints and status callbacks exclude
 * each other. A claim also takes a claim key (unique insert) that only a lease-long silence
 * can take over: the generic write slots give up on a holder after seconds, and two workers
 * both "winning" a claim would mean a message sent twice.
 */
export class MongooseDeliveryOutbox implements DeliveryOutbox {
  private readonly collection: mongo.Collection<StoredMessageDocument>;
  private readonly claims: mongo.Collection<ClaimDocument>;

  constructor(
    connection: Connection,
    private readonly slots: WriteSlots,
    private readonly claimTakeoverMs: number,
  ) {
    this.collection = messageModel(connection).collection as unknown as mongo.Collection<StoredMessageDocument>;
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    this.claims = db.collection<ClaimDocument>('delivery_claims');
  }

  async findDue(now: Date, limit: number): Promise<DeliveryCandidate[]> {
    const options = { projection: CANDIDATE_FIELDS, sort: OLDEST_FIRST, limit };
    const [expired, queued] = await Promise.all([
      this.collection.find({ status: 'sending', leaseExpiresAt: { $lt: now } }, options).toArray(),
      this.collection.find({ status: 'queued', nextAttemptAt: { $lte: now }, parkedUntil: { $lte: now } }, options).toArray(),
    ]);
    // Lost attempts first: they are the oldest work and block their tickets.
    return [...expired, ...queued].slice(0, limit).map(toCandidate);
  }

  async findTicketHead(companyId: string, ticketId: string): Promise<DeliveryCandidate | null> {
    const head = await this.collection.findOne(
      { companyId, ticketId, direction: 'outbound', status: { $in: PENDING } },
      { projection: CANDIDATE_FIELDS, sort: OLDEST_FIRST },
    );
    return head ? toCandidate(head) : null;
  }

  async claim(message: Message, leaseUntil: Date): Promise<void> {
    if (!(await this.takeClaimKey(`${message.id}:${message.version + 1}`))) throw new ConcurrencyError('message', message.id);
    await this.write(message, { leaseExpiresAt: leaseUntil });
  }

  async park(message: Message, until: Date): Promise<void> {
    await this.write(message, { parkedUntil: until });
  }

  async unpark(message: Message): Promise<void> {
    await this.write(message, { parkedUntil: UNPARKED });
  }

  /** Claim keys are only contended while their message version is current. */
  async prune(olderThan: Date): Promise<number> {
    return (await this.claims.deleteMany({ takenAt: { $lt: olderThan } })).deletedCount;
  }

  async ensureIndexes(): Promise<void> {
    await this.claims.createIndex({ takenAt: 1 }, { name: 'delivery_claim_taken_at' });
  }

  private async write(message: Message, outboxFields: Partial<StoredMessageDocument>): Promise<void> {
    const expected = message.version;
    if (expected === 0) throw new Error('only a stored message is in the outbox');
    await writeVersioned({
      collection: this.collection,
      slots: this.slots,
      aggregate: 'message',
      doc: { ...toMessageDocument(message, expected + 1), ...outboxFields },
      expectedVersion: expected,
      // Outbox writes never change the SID, so a duplicate key can only be a lost race.
      uniqueConflict: async () => null,
    });
    message.markSaved();
  }

  private async takeClaimKey(_id: string): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await this.claims.insertOne({ _id, takenAt: new Date() });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const held = await this.claims.findOne({ _id });
        if (held && Date.now() - held.takenAt.getTime() < this.claimTakeoverMs) return false;
        // Its holder went silent for a whole lease without writing: the claim is free again.
        if (held) await this.claims.deleteOne({ _id, takenAt: held.takenAt });
      }
    }
    return false;
  }
}

type CandidateDocument = Pick<StoredMessageDocument, '_id' | 'companyId' | 'ticketId' | 'version' | 'status' | 'nextAttemptAt' | 'leaseExpiresAt' | 'parkedUntil'>;

function toCandidate(doc: CandidateDocument): DeliveryCandidate {
  return {
    id: doc._id,
    companyId: doc.companyId,
    ticketId: doc.ticketId,
    version: doc.version,
    status: doc.status as 'queued' | 'sending',
    nextAttemptAt: doc.nextAttemptAt ? new Date(doc.nextAttemptAt) : null,
    leaseExpiresAt: doc.leaseExpiresAt ? new Date(doc.leaseExpiresAt) : null,
    parkedUntil: doc.parkedUntil ? new Date(doc.parkedUntil) : null,
  };
}
