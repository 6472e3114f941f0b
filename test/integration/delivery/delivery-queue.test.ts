import { mongo } from 'mongoose';
import { DeliveryProcessor, DeliveryProcessorDeps } from '../../../src/application/delivery/delivery-processor';
import { DEFAULT_DELIVERY_SETTINGS } from '../../../src/application/delivery/delivery-settings';
import { Message } from '../../../src/domain/message/message';
import { DeliveryQueueSweep } from '../../../src/infrastructure/persistence/mongoose/delivery/delivery-queue-sweep';
import { MongooseDeliveryOutbox } from '../../../src/infrastructure/persistence/mongoose/delivery/mongoose-delivery-outbox';
import { MongooseMessageRepository } from '../../../src/infrastructure/persistence/mongoose/message/mongoose-message.repository';
import { DeliveryWorker } from '../../../src/infrastructure/workers/delivery-worker';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

const GRACE_MS = 60_000;
const NO_TICKETS: ReadonlySet<string> = new Set();

let database: TestDatabase;
let messages: MongooseMessageRepository;
let outbox: MongooseDeliveryOutbox;
let sweep: DeliveryQueueSweep;
let sequence = 0;

beforeAll(async () => {
  database = await connectTestDatabase();
  messages = new MongooseMessageRepository(database.connection);
  outbox = new MongooseDeliveryOutbox(database.connection, { unsavedGraceMs: GRACE_MS });
  sweep = new DeliveryQueueSweep(database.connection, outbox.queue);
  await messages.ensureIndexes();
  await outbox.ensureIndexes();
});
afterAll(() => database.dropAndClose());

const queueEntry = (id: string) => outbox.queue.get(id);
const later = (ms: number) => new Date(Date.now() + ms);

function reply(ticketId = `t-${(sequence += 1)}`, createdAt = new Date()): Message {
  sequence += 1;
  return Message.queueOutbound({ id: `m-${sequence}-${Date.now()}`, companyId: 'acme', ticketId, integrationId: 'i-1', senderUserId: 'u-1', body: `reply ${sequence}`, now: createdAt });
}

/** What SendMessageHandler does: the queue entry first, then the message. */
async function accept(message: Message): Promise<Message> {
  await outbox.enqueue(message);
  await messages.save(message);
  return message;
}

async function reload(message: Message): Promise<Message> {
  return (await messages.findById(message.companyId, message.id))!;
}

describe('the delivery queue entry of an outbound message', () => {
  it('exists while the message is queued or sending, and is gone once it is sent', async () => {
    const message = await accept(reply());
    expect(await queueEntry(message.id)).toMatchObject({ companyId: 'acme', ticketId: message.ticketId, createdAt: message.createdAt, parkedUntil: null });
    const due = (await outbox.findDue(new Date(), 100, NO_TICKETS)).find((c) => c.id === message.id);
    expect(due).toMatchObject({ id: message.id, status: 'queued', version: 1 });

    const claimed = await reload(message);
    claimed.startSending(new Date());
    const leaseUntil = later(30_000);
    await outbox.claim(claimed, leaseUntil);
    // Claimed: not due for another worker, which moves the entry to the end of the lease.
    expect((await outbox.findDue(new Date(), 100, NO_TICKETS)).map((c) => c.id)).not.toContain(message.id);
    expect((await queueEntry(message.id))!.dueAt.getTime()).toBeGreaterThan(leaseUntil.getTime());
    expect((await outbox.findDue(new Date(leaseUntil.getTime() + 1), 100, NO_TICKETS)).map((c) => c.id)).toContain(message.id);
    expect(await outbox.findTicketHead('acme', message.ticketId)).toMatchObject({ id: message.id, status: 'sending' });

    claimed.recordAccepted('SM0001', new Date());
    await messages.save(claimed);
    await outbox.saved(claimed);
    expect(await queueEntry(message.id)).toBeNull();
    expect(await outbox.findTicketHead('acme', message.ticketId)).toBeNull();
  });

  it('is gone when the message fails, and back when it is retried', async () => {
    const message = await accept(reply());
    const failing = await reload(message);
    failing.startSending(new Date());
    await outbox.claim(failing, later(30_000));
    failing.recordDelivery('failed', new Date(), { code: 21211, message: 'invalid number' });
    await messages.save(failing);
    await outbox.saved(failing);
    expect(await queueEntry(message.id)).toBeNull();

    // What RetryMessageHandler does: the entry, the message, the entry once more.
    const retried = await reload(message);
    retried.retry(new Date());
    await outbox.enqueue(retried);
    await messages.save(retried);
    await outbox.enqueue(retried);
    expect(await queueEntry(message.id)).toMatchObject({ seenVersion: retried.version });
    expect((await outbox.findDue(new Date(), 100, NO_TICKETS)).map((c) => c.id)).toContain(message.id);
  });

  it('follows a transient failure: due again at the next attempt, not before', async () => {
    const message = await accept(reply());
    const sending = await reload(message);
    sending.startSending(new Date());
    await outbox.claim(sending, later(30_000));
    const nextAttemptAt = later(5_000);
    sending.requeueAfterTransientFailure({ code: 20503, message: 'unavailable' }, new Date(), nextAttemptAt);
    await messages.save(sending);
    await outbox.saved(sending);
    expect((await queueEntry(message.id))!.dueAt).toEqual(nextAttemptAt);
    expect((await outbox.findDue(new Date(), 100, NO_TICKETS)).map((c) => c.id)).not.toContain(message.id);
    expect((await outbox.findDue(later(6_000), 100, NO_TICKETS)).map((c) => c.id)).toContain(message.id);
  });

  it('parks a message behind its ticket head and orders the head by acceptance time', async () => {
    const first = await accept(reply('t-order', new Date(Date.now() - 2_000)));
    const second = await accept(reply('t-order', new Date(Date.now() - 1_000)));
    expect(await outbox.findTicketHead('acme', 't-order')).toMatchObject({ id: first.id });
    await outbox.park(await reload(second), later(5_000));
    const due = await outbox.findDue(new Date(), 100, NO_TICKETS);
    expect(due.map((c) => c.id)).toContain(first.id);
    expect(due.map((c) => c.id)).not.toContain(second.id);
    // One candidate per ticket, and none of the busy ones.
    expect((await outbox.findDue(later(6_000), 100, NO_TICKETS)).filter((c) => c.ticketId === 't-order')).toHaveLength(1);
    expect((await outbox.findDue(later(6_000), 100, new Set(['t-order']))).filter((c) => c.ticketId === 't-order')).toHaveLength(0);
    await outbox.unpark(await reload(second));
    expect((await queueEntry(second.id))!.parkedUntil).toBeNull();
  });
});

describe('crash windows', () => {
  it('an entry whose message was never saved is skipped, kept for the grace period, then dropped', async () => {
    const orphan = reply();
    await outbox.enqueue(orphan);
    expect(await outbox.findDue(new Date(), 100, NO_TICKETS)).not.toEqual(expect.arrayContaining([expect.objectContaining({ id: orphan.id })]));
    expect(await outbox.findTicketHead('acme', orphan.ticketId)).toBeNull();
    expect(await queueEntry(orphan.id)).not.toBeNull();
    await outbox.findDue(later(GRACE_MS + 1_000), 100, NO_TICKETS);
    expect(await queueEntry(orphan.id)).toBeNull();
  });

  it('a message saved late, after its entry was first seen, is still delivered', async () => {
    const slow = reply();
    await outbox.enqueue(slow);
    await outbox.findDue(new Date(), 100, NO_TICKETS);
    await messages.save(slow);
    expect((await outbox.findDue(new Date(), 100, NO_TICKETS)).map((c) => c.id)).toContain(slow.id);
  });

  it('a queued message without an entry is found by the sweep and queued again', async () => {
    const lost = reply();
    await messages.save(lost);
    expect((await outbox.findDue(new Date(), 100, NO_TICKETS)).map((c) => c.id)).not.toContain(lost.id);
    expect(await sweep.run()).toBeGreaterThanOrEqual(1);
    expect((await outbox.findDue(new Date(), 100, NO_TICKETS)).map((c) => c.id)).toContain(lost.id);
    expect(await sweep.run()).toBe(0);
  });

  it('an entry whose message was finished elsewhere (a status callback, a dead worker) is dropped when met', async () => {
    const message = await accept(reply());
    const sent = await reload(message);
    sent.startSending(new Date());
    await outbox.claim(sent, later(1_000));
    // The worker died; a status callback stored `sent` without touching the queue.
    sent.recordAccepted('SM0002', new Date());
    await messages.save(sent);
    expect(await queueEntry(message.id)).not.toBeNull();
    expect((await outbox.findDue(later(2_000), 100, NO_TICKETS)).map((c) => c.id)).not.toContain(message.id);
    expect(await queueEntry(message.id)).toBeNull();
  });

  it('an early entry (a lost reschedule) is moved to the message\'s own time without a claim', async () => {
    const message = await accept(reply());
    const sending = await reload(message);
    sending.startSending(new Date());
    await outbox.claim(sending, later(20_000));
    await outbox.queue.collection.updateOne({ _id: message.id }, { $set: { dueAt: new Date(0) } });
    expect((await outbox.findDue(new Date(), 100, NO_TICKETS)).map((c) => c.id)).not.toContain(message.id);
    expect((await queueEntry(message.id))!.dueAt.getTime()).toBeGreaterThan(Date.now() + 15_000);
  });
});

describe('an idle poll', () => {
  it('reads the queue only, never the messages collection', async () => {
    // A history of finished messages (and inbound ones) plus one message waiting for a retry.
    for (let i = 0; i < 20; i += 1) {
      const done = await accept(reply());
      const sending = await reload(done);
      sending.startSending(new Date());
      await outbox.claim(sending, later(30_000));
      sending.recordAccepted(`SM-idle-${i}`, new Date());
      await messages.save(sending);
      await outbox.saved(sending);
    }
    const waiting = await accept(reply());
    const backoff = await reload(waiting);
    backoff.startSending(new Date());
    await outbox.claim(backoff, later(30_000));
    backoff.requeueAfterTransientFailure({ code: 20503, message: 'unavailable' }, new Date(), later(60_000));
    await messages.save(backoff);
    await outbox.saved(backoff);
    await outbox.queue.collection.deleteMany({ _id: { $ne: waiting.id } });

    const operations = countOperationsByCollection();
    const errors: unknown[] = [];
    try {
      const processor = new DeliveryProcessor({ outbox, clock: { now: () => new Date() }, settings: DEFAULT_DELIVERY_SETTINGS } as unknown as DeliveryProcessorDeps);
      const worker = new DeliveryWorker(() => processor, { pollIntervalMs: 20, concurrency: 4 }, (error) => errors.push(error));
      worker.start();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await worker.stop();
    } finally {
      operations.restore();
    }
    expect(errors).toEqual([]);
    expect(operations.count('delivery_queue')).toBeGreaterThanOrEqual(5);
    expect(operations.count('messages')).toBe(0);
  });
});

/** Counts driver reads and writes per collection (spies on the driver's Collection methods) until restored. */
function countOperationsByCollection() {
  const methods = ['find', 'findOne', 'countDocuments', 'aggregate', 'updateOne', 'replaceOne', 'deleteOne', 'deleteMany', 'insertOne'] as const;
  const spies = methods.map((method) => jest.spyOn(mongo.Collection.prototype, method as never));
  const counted = new Map<string, number>();
  return {
    count: (collection: string) => counted.get(collection) ?? 0,
    restore: () => {
      for (const spy of spies) {
        for (const context of spy.mock.contexts) {
          const name = (context as mongo.Collection).collectionName;
          counted.set(name, (counted.get(name) ?? 0) + 1);
        }
        spy.mockRestore();
      }
    },
  };
}
