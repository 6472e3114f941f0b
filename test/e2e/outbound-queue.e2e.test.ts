import { randomBytes } from 'node:crypto';
import { DeliveryWorker } from '../../src/infrastructure/workers/delivery-worker';
import { startTestService } from '../support/e2e/test-service';
import { FAST_DELIVERY_ENV, connectExistingNumber, customerWrites, eventually, messageBecomes, reply, sendsTo, ConnectedNumber, TestService } from './outbound-support';

jest.setTimeout(60_000);

/**
 * The delivery queue (`delivery_queue`): an accepted reply gets its entry before anything
 * else; a pending message that lost its entry (a crash, data from before the queue) is
 * found by the start-up sweep of the next instance and delivered.
 */
const SHARED_ENV: NodeJS.ProcessEnv = { ...FAST_DELIVERY_ENV, ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` };

let idle: TestService;
let worker: TestService | null = null;
let acme: ConnectedNumber;
const db = () => idle.service.connection.db!;

beforeAll(async () => {
  idle = await startTestService({ env: SHARED_ENV });
  acme = await connectExistingNumber(idle, 'acme', '+14155557001');
  // Its delivery workers stop: what it accepts stays queued.
  await idle.service.container.get(DeliveryWorker).stop();
});
afterAll(async () => {
  await worker?.close();
  await db().dropDatabase();
  await idle.close();
});

describe('the delivery queue', () => {
  it('holds an accepted reply; a queued message without an entry is queued again by the sweep and sent once', async () => {
    const ticket = await customerWrites(idle, acme, '+5511930000001');
    const kept = await reply(idle, ticket, { body: 'Primeira' });
    const lost = await reply(idle, ticket, { body: 'Segunda' });
    expect([kept.status, lost.status]).toEqual([202, 202]);
    const queue = db().collection('delivery_queue');
    expect(await queue.findOne({ _id: kept.body.id })).toMatchObject({ companyId: 'acme', ticketId: ticket.ticketId, parkedUntil: null });

    // As if the second message were stored before the queue existed (or its entry lost).
    await queue.deleteOne({ _id: lost.body.id });
    worker = await startTestService({ env: SHARED_ENV, sharedEmulator: idle.emulator });
    await messageBecomes(idle, lost.body.id, (m) => m.status === 'sent', 20_000);
    await messageBecomes(idle, kept.body.id, (m) => m.status === 'sent', 20_000);
    // Per-ticket order holds, each once, and the queue is empty again.
    expect(sendsTo(idle, ticket.contact).map((m) => m.body)).toEqual(['Primeira', 'Segunda']);
    // Entries leave the queue right after `sent` is stored: allow that moment.
    await eventually(async () => ((await queue.countDocuments({ _id: { $in: [kept.body.id, lost.body.id] } })) === 0 ? true : undefined), 5_000);
  });
});
