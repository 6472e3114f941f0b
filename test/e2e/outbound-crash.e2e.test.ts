import { randomBytes } from 'node:crypto';
import { startTestService } from '../support/e2e/test-service';
import { FAST_DELIVERY_ENV, connectExistingNumber, customerWrites, messageBecomes, reply, sendsTo, ConnectedNumber, TestService } from './outbound-support';

jest.setTimeout(60_000);

/**
 * Crash safety: a worker dies between Twilio's acceptance and the write of the SID. Another
 * instance takes the attempt over only after its lease expired, and reconciles it against
 * Twilio before deciding to send: the customer gets the message once.
 */
const SHARED_ENV: NodeJS.ProcessEnv = {
  ...FAST_DELIVERY_ENV,
  ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  // The test services' Twilio timeout is 2 s: a send starts only with > 2.5 s of lease left.
  DELIVERY_LEASE_MS: '4000',
  DELIVERY_SEND_DEADLINE_MARGIN_MS: '2500',
  DELIVERY_BACKOFF_BASE_MS: '200',
};

class SimulatedCrash extends Error {}

let dying: TestService;
let survivor: TestService | null = null;
let acme: ConnectedNumber;
const crashed = new Set<string>();
const db = () => dying.service.connection.db!;

beforeAll(async () => {
  dying = await startTestService({
    env: SHARED_ENV,
    service: {
      deliveryHooks: {
        // The process "dies" right after Twilio accepted the message: nothing after that runs.
        afterTwilioAccepted: async (messageId) => {
          if (crashed.has(messageId)) return;
          crashed.add(messageId);
          throw new SimulatedCrash(`worker killed after Twilio accepted ${messageId}`);
        },
      },
    },
  });
  acme = await connectExistingNumber(dying, 'acme', '+14155555001');
});
afterAll(async () => {
  await survivor?.close();
  await db().dropDatabase();
  await dying.close();
});
afterEach(() => dying.emulator.faults.clear());

describe('a worker killed between the Twilio call and the write', () => {
  it('is reconciled by another instance after the lease expired: one send, the SID recorded, the next message follows', async () => {
    const ticket = await customerWrites(dying, acme, '+5511950000001');
    const first = await reply(dying, ticket, { body: 'Primeira' });
    await eventuallyCrashed(first.body.id);
    // The dead worker's instance must do nothing more: its workers stop (as a dead process would).
    await stopWorkersOf(dying);
    const second = await reply(dying, ticket, { body: 'Segunda' });

    const stuck = await db().collection('messages').findOne({ _id: first.body.id });
    expect(stuck).toMatchObject({ status: 'sending', twilioSid: null, attempts: 1 });
    expect(sendsTo(dying, ticket.contact)).toHaveLength(1);

    survivor = await startTestService({ env: SHARED_ENV, sharedEmulator: dying.emulator });
    const reconciled = await messageBecomes(dying, first.body.id, (m) => m.status === 'sent', 20_000);
    const sends = sendsTo(dying, ticket.contact);
    expect(reconciled).toMatchObject({ attempts: 1, twilioSid: sends[0]!.sid });
    // Not before the lease ran out.
    expect((reconciled.updatedAt as Date).getTime() - (stuck!.leaseExpiresAt as Date).getTime()).toBeGreaterThanOrEqual(0);
    await messageBecomes(dying, second.body.id, (m) => m.status === 'sent', 20_000);
    await settle();
    expect(sendsTo(dying, ticket.contact).map((m) => m.body)).toEqual(['Primeira', 'Segunda']);
  });

  it('a send whose answer timed out but reached Twilio is found, not sent twice', async () => {
    const ticket = await customerWrites(dying, acme, '+5511950000002');
    // Twilio takes the message but answers after the client's 2 s timeout.
    dying.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', delayMs: 2500, times: 1 });
    const answer = await reply(survivor ?? dying, ticket, { body: 'Lenta' });
    const sent = await messageBecomes(dying, answer.body.id, (m) => m.status === 'sent', 20_000);
    await settle();
    const sends = sendsTo(dying, ticket.contact);
    expect(sends).toHaveLength(1);
    expect(sent).toMatchObject({ twilioSid: sends[0]!.sid, attempts: 1 });
  });

  it('a send that timed out and never reached Twilio is sent again after reconciliation', async () => {
    const ticket = await customerWrites(dying, acme, '+5511950000003');
    // Twilio fails the request after the client gave up: nothing was created.
    dying.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', delayMs: 2500, status: 500, times: 1 });
    const answer = await reply(survivor ?? dying, ticket, { body: 'Perdida' });
    const sent = await messageBecomes(dying, answer.body.id, (m) => m.status === 'sent', 20_000);
    await settle();
    const sends = sendsTo(dying, ticket.contact);
    expect(sends).toHaveLength(1);
    expect(sent).toMatchObject({ twilioSid: sends[0]!.sid, attempts: 2 });
  });
});

/** Long enough for a late duplicate (a delayed request, a second worker) to show up. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

async function eventuallyCrashed(messageId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!crashed.has(messageId)) {
    if (Date.now() > deadline) throw new Error('the worker never reached Twilio');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stopWorkersOf(t: TestService): Promise<void> {
  const { DeliveryWorker } = await import('../../src/infrastructure/workers/delivery-worker');
  await t.service.container.get(DeliveryWorker).stop();
}
