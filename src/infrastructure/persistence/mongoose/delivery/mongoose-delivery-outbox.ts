import { Connection, mongo } from 'mongoose';
import { DeliveryCandidate, DeliveryOutbox, isDue } from '../../../../application/ports/delivery-outbox.port';
import { Message } from '../../../../domain/message/message';
import { toMessageDocument } from '../message/message.mapper';
import { StoredMessageDocument, messageModel } from '../message/message.schema';
import { writeVersioned } from '../versioned-write';
import { DeliveryQueue, DeliveryQueueEntry, Schedule, templateOf } from './delivery-queue';

const PENDING: ReadonlySet<string> = new Set(['queued', 'sending']);
/** Statuses a retry brings back to `queued`: removing their entry must not race a retry. */
const RETRYABLE: ReadonlySet<string> = new Set(['failed', 'undelivered']);
const MESSAGE_FIELDS = { _id: 1, companyId: 1, ticketId: 1, integrationId: 1, direction: 1, version: 1, status: 1, nextAttemptAt: 1, leaseExpiresAt: 1, createdAt: 1, updatedAt: 1 } as const;
/** An entry written before its message is saved: the worker leaves it alone this long before re-checking less often. */
const UNSAVED_RECHECK_MS = 10_000;

type MessageFields = Pick<
  StoredMessageDocument,
  '_id' | 'companyId' | 'ticketId' | 'integrationId' | 'direction' | 'version' | 'status' | 'nextAttemptAt' | 'leaseExpiresAt' | 'createdAt' | 'updatedAt'
>;

export interface DeliveryOutboxOptions {
  /** An entry whose message was never saved (the sender died in between) is dropped after this. */
  readonly unsavedGraceMs?: number;
}

/**
 * The delivery outbox: the messages collection is the source of truth of every delivery
 * state; the small `delivery_queue` collection (DeliveryQueue) holds one entry per message
 * whose delivery is not over, with the time a worker should look at it next. Polls and
 * ticket-head lookups read the queue and then only the messages it names, by `_id`, so their
 * cost follows the pending messages, not the history.
 *
 * Every message write is the versioned write of MessageRepository.save plus the lease: one
 * conditional update, so of two workers claiming one message exactly one wins, and claims and
 * status callbacks exclude each other. Queue entries are only hints: a wrong one costs a read,
 * never a wrong send.
 */
export class MongooseDeliveryOutbox implements DeliveryOutbox {
  private readonly messages: mongo.Collection<StoredMessageDocument>;
  readonly queue: DeliveryQueue;
  private readonly unsavedGraceMs: number;

  constructor(connection: Connection, options: DeliveryOutboxOptions = {}) {
    this.messages = messageModel(connection).collection as unknown as mongo.Collection<StoredMessageDocument>;
    this.queue = new DeliveryQueue(connection);
    this.unsavedGraceMs = options.unsavedGraceMs ?? 10 * 60_000;
  }

  async enqueue(message: Message): Promise<void> {
    const s = message.toSnapshot();
    const schedule = { dueAt: s.nextAttemptAt ?? s.updatedAt, parkedUntil: null, seenVersion: message.version };
    // A new reply has no entry yet: one insert. A retried message may still have its old one.
    if (!(await this.queue.insert({ ...templateOf(s), ...schedule }))) await this.queue.reschedule(templateOf(s), schedule);
  }

  async findDue(now: Date, limit: number, skipTickets: ReadonlySet<string>): Promise<DeliveryCandidate[]> {
    if (limit <= 0) return [];
    const picked = new Map<string, DeliveryCandidate>();
    // Room for the busy tickets' own due entries (a lane's next messages), skipped below.
    for (const entry of await this.queue.findDue(now, (limit + skipTickets.size) * 4)) {
      if (picked.size >= limit) break;
      if (skipTickets.has(entry.ticketId) || picked.has(entry.ticketId)) continue;
      const candidate = await this.inspect(entry, now);
      if (candidate) picked.set(entry.ticketId, candidate);
    }
    return [...picked.values()];
  }

  async findTicketHead(companyId: string, ticketId: string): Promise<DeliveryCandidate | null> {
    for (const entry of await this.queue.findOfTicket(companyId, ticketId)) {
      const doc = await this.messageOf(entry);
      // Not saved yet (or never will be): nothing to wait for.
      if (!doc) continue;
      if (!isPending(doc)) {
        await this.removeDone(entry._id, doc.status);
        continue;
      }
      return toCandidate(doc, entry.parkedUntil);
    }
    return null;
  }

  async claim(message: Message, leaseUntil: Date): Promise<void> {
    await this.write(message, { leaseExpiresAt: leaseUntil });
    // The entry is left as it is: the claimer's own polls skip its busy ticket, and it is
    // usually removed a moment later (sent). A worker that meets it meanwhile reads the
    // lease from the message and moves the entry to the lease's end (`inspect`). That saves
    // three queue operations per send on a single instance.
  }

  async park(message: Message, until: Date): Promise<void> {
    await this.queue.reschedule(templateOf(message.toSnapshot()), { dueAt: until, parkedUntil: until, seenVersion: message.version });
  }

  async unpark(message: Message): Promise<void> {
    const s = message.toSnapshot();
    await this.queue.reschedule(templateOf(s), { dueAt: s.nextAttemptAt ?? s.updatedAt, parkedUntil: null, seenVersion: message.version });
  }

  async saved(message: Message): Promise<void> {
    const s = message.toSnapshot();
    if (s.status === 'queued') await this.queue.reschedule(templateOf(s), { dueAt: s.nextAttemptAt ?? s.updatedAt, parkedUntil: null, seenVersion: message.version });
    // `sending` is scheduled by its claim (the lease lives on the message document).
    else if (s.status !== 'sending') await this.removeDone(s.id, s.status);
  }

  async ensureIndexes(): Promise<void> {
    await this.queue.ensureIndexes();
  }

  /** The candidate when the entry's message is due now; otherwise puts the entry right and returns null. */
  private async inspect(entry: DeliveryQueueEntry, now: Date): Promise<DeliveryCandidate | null> {
    const doc = await this.messageOf(entry);
    if (!doc) {
      await this.recheckUnsaved(entry, now);
      return null;
    }
    if (!isPending(doc)) {
      await this.removeDone(entry._id, doc.status);
      return null;
    }
    const candidate = toCandidate(doc, null);
    if (isDue(candidate, now)) return candidate;
    // The entry was early (a lost hint, another worker's claim): wait for the message's own time.
    await this.queue.reschedule(templateOf(doc), naturalSchedule(doc));
    return null;
  }

  /**
   * The entry of a message that is not stored: normally its sender is between the entry
   * and the message (a moment); if the sender died there, the entry goes after a grace period.
   */
  private async recheckUnsaved(entry: DeliveryQueueEntry, now: Date): Promise<void> {
    const age = now.getTime() - entry.enqueuedAt.getTime();
    if (age >= this.unsavedGraceMs) await this.queue.remove(entry._id);
    else if (age >= UNSAVED_RECHECK_MS) await this.queue.reschedule(entry, { dueAt: new Date(now.getTime() + UNSAVED_RECHECK_MS), parkedUntil: null, seenVersion: 0 });
  }

  /**
   * Delivery is over for this message. A failed one may be retried at this very moment (the
   * retry writes the entry, then the message): after removing the entry, look at the
   * message again and put the entry back if a retry got in between.
   */
  private async removeDone(messageId: string, status: string): Promise<void> {
    await this.queue.remove(messageId);
    if (!RETRYABLE.has(status)) return;
    const doc = await this.messages.findOne({ _id: messageId }, { projection: MESSAGE_FIELDS });
    if (doc && isPending(doc)) await this.queue.reschedule(templateOf(doc), naturalSchedule(doc));
  }

  private async messageOf(entry: DeliveryQueueEntry): Promise<MessageFields | null> {
    // By `_id`; the company is checked here.
    const doc = await this.messages.findOne({ _id: entry._id }, { projection: MESSAGE_FIELDS });
    return doc && doc.companyId === entry.companyId ? doc : null;
  }

  private async write(message: Message, outboxFields: Partial<StoredMessageDocument>): Promise<void> {
    const expected = message.version;
    if (expected === 0) throw new Error('only a stored message is in the outbox');
    await writeVersioned({
      collection: this.messages,
      aggregate: 'message',
      doc: { ...toMessageDocument(message, expected + 1), ...outboxFields },
      expectedVersion: expected,
      // Outbox writes never change the SID, so a duplicate key can only be a lost race.
      uniqueConflict: async () => null,
    });
    message.markSaved();
  }
}

function isPending(doc: Pick<MessageFields, 'direction' | 'status'>): boolean {
  return doc.direction === 'outbound' && PENDING.has(doc.status);
}

/** A lease is over once it is in the past (`isDue`: strictly before now). */
function afterLease(leaseUntil: Date): Date {
  return new Date(leaseUntil.getTime() + 1);
}

/** When the message itself says it needs a worker next. */
function naturalSchedule(doc: MessageFields): Schedule {
  const at = doc.status === 'sending' ? (doc.leaseExpiresAt ? afterLease(new Date(doc.leaseExpiresAt)) : null) : doc.nextAttemptAt;
  return { dueAt: at ? new Date(at) : new Date(doc.updatedAt), parkedUntil: null, seenVersion: doc.version };
}

function toCandidate(doc: MessageFields, parkedUntil: Date | null): DeliveryCandidate {
  return {
    id: doc._id,
    companyId: doc.companyId,
    ticketId: doc.ticketId,
    version: doc.version,
    status: doc.status as 'queued' | 'sending',
    nextAttemptAt: doc.nextAttemptAt ? new Date(doc.nextAttemptAt) : null,
    leaseExpiresAt: doc.leaseExpiresAt ? new Date(doc.leaseExpiresAt) : null,
    parkedUntil,
  };
}
