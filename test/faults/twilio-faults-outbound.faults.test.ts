import type { FaultHandle } from '../../src/emulator/emulator-faults';
import { FAST_DELIVERY_ENV, customerWrites, reply, type OpenTicket } from '../e2e/outbound-support';
import { startTestService, type TestService } from '../support/e2e/test-service';
import { connectExistingNumber, type ConnectedNumber } from '../support/e2e/whatsapp-fixtures';
import { sleep, waitFor } from './support/service-process';

/**
 * Twilio misbehaves during an outbound burst: answers after the client's timeout (sometimes
 * having taken the message, sometimes not), 500s, and bursts of 429 with Retry-After. Every
 * message ends `sent`/`delivered`/`read`, or `failed` with a reason; none reaches Twilio twice,
 * and each ticket's messages reach it in order.
 */

const TICKETS = 6;
const REPLIES_PER_TICKET = 8;

let t: TestService;
let acme: ConnectedNumber;
const tickets: OpenTicket[] = [];

beforeAll(async () => {
  t = await startTestService({
    env: { ...FAST_DELIVERY_ENV, DELIVERY_MAX_ATTEMPTS: '4', DELIVERY_BACKOFF_BASE_MS: '100', DELIVERY_BACKOFF_MAX_MS: '1000' },
  });
  acme = await connectExistingNumber(t, 'acme', '+14155550404');
  for (let i = 0; i < TICKETS; i += 1) tickets.push(await customerWrites(t, acme, `+55119910000${i}`));
});

afterAll(async () => {
  t?.emulator.faults.clear();
  await t?.close();
});

it('ends every message sent or failed with a reason, none sent twice, under timeouts, 500s and 429 bursts', async () => {
  const faults = t.emulator.faults;
  const onSend = { accountSid: acme.accountSid, endpoint: 'messages.create' } as const;
  const handles: FaultHandle[] = [];
  // Timeouts (the test services' Twilio timeout is 2 s): one whose message Twilio took, one it did not.
  handles.push(faults.inject({ ...onSend, phoneNumber: tickets[0]!.contact, delayMs: 2500, times: 1 }));
  handles.push(faults.inject({ ...onSend, phoneNumber: tickets[1]!.contact, delayMs: 2500, status: 500, times: 1 }));
  // 500s now and then, and a 429 burst with Retry-After across the number.
  handles.push(faults.inject({ ...onSend, phoneNumber: tickets[2]!.contact, status: 500, times: 3 }));
  handles.push(faults.inject({ ...onSend, status: 429, retryAfterSeconds: 1, times: 6 }));
  // One ticket's Twilio keeps failing: its messages exhaust their attempts and fail with the reason.
  handles.push(faults.inject({ ...onSend, phoneNumber: tickets[3]!.contact, bodyContains: 'reply 0 ', status: 503 }));

  const accepted = new Map<string, { id: string; body: string }[]>();
  await Promise.all(
    tickets.map(async (ticket) => {
      const mine: { id: string; body: string }[] = [];
      accepted.set(ticket.contact, mine);
      for (let n = 0; n < REPLIES_PER_TICKET; n += 1) {
        const body = `reply ${n} to ${ticket.contact}`;
        const answer = await reply(t, ticket, { body });
        expect(answer.status).toBe(202);
        mine.push({ id: answer.body.id, body });
      }
    }),
  );

  const db = t.service.connection.db!;
  const ids = [...accepted.values()].flat().map((m) => m.id);
  const settled = await waitFor(
    'every message settled',
    async () => {
      const docs = await db.collection('messages').find({ _id: { $in: ids as never[] } }).toArray();
      return docs.every((doc) => !['queued', 'sending'].includes(String(doc.status))) ? docs : undefined;
    },
    120_000,
    250,
  );
  await sleep(1500); // room for a late duplicate to show up

  const failed = settled.filter((doc) => doc.status === 'failed');
  expect(settled.filter((doc) => !['sent', 'delivered', 'read', 'failed'].includes(String(doc.status)))).toEqual([]);
  for (const doc of failed) expect(doc.error).toEqual(expect.objectContaining({ message: expect.any(String) }));
  // The ticket whose Twilio keeps refusing its first reply: that one failed, with Twilio's code.
  expect(failed.map((doc) => doc.body)).toContain(`reply 0 to ${tickets[3]!.contact}`);
  expect(failed.find((doc) => doc.body === `reply 0 to ${tickets[3]!.contact}`)!.error).toMatchObject({ code: 20503 });

  for (const ticket of tickets) {
    const sentBodies = t.emulator.state.sentMessages.filter((m) => m.to === `whatsapp:${ticket.contact}`).map((m) => m.body);
    // Never twice; in the order accepted (a failed one is simply missing).
    expect(new Set(sentBodies).size).toBe(sentBodies.length);
    const delivered = accepted
      .get(ticket.contact)!
      .filter((m) => settled.find((doc) => String(doc._id) === m.id)!.status !== 'failed')
      .map((m) => m.body);
    expect(sentBodies).toEqual(delivered);
  }
  // Every injected fault was met.
  expect(handles.map((handle) => handle.hits > 0)).toEqual(handles.map(() => true));
});
