import { randomBytes } from 'node:crypto';
import { startTestService } from '../support/e2e/test-service';
import { FAST_DELIVERY_ENV, OpenTicket, connectExistingNumber, customerWrites, eventually, reply, ConnectedNumber, TestService } from './outbound-support';

// 200 sends at 20/s take 10 s; the rest is FerretDB on a shared 2-core machine.
jest.setTimeout(180_000);

const TICKETS = 20;
const PER_TICKET = 10;
const RATE = 20;
const SHARED_ENV: NodeJS.ProcessEnv = { ...FAST_DELIVERY_ENV, ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, DELIVERY_CONCURRENCY: '8' };

let a: TestService;
let b: TestService;
let acme: ConnectedNumber;

beforeAll(async () => {
  a = await startTestService({ env: SHARED_ENV });
  b = await startTestService({ env: SHARED_ENV, sharedEmulator: a.emulator });
  acme = await connectExistingNumber(a, 'acme', '+14155556001');
  const patched = await a.http.patch(`/integrations/${acme.integrationId}`).set('Authorization', `Bearer ${a.token('acme', 'admin')}`).send({ sendRatePerSecond: RATE });
  expect(patched.status).toBe(200);
});
afterAll(async () => {
  await b.close();
  await a.service.connection.dropDatabase();
  await a.close();
});

/** The most sends that fall in any sliding 1-second window [t, t + 1000). */
function maxInAnyWindow(times: readonly number[]): number {
  const sorted = [...times].sort((x, y) => x - y);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= 1000) start += 1;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe('two instances on one database', () => {
  it(`deliver ${TICKETS * PER_TICKET} replies exactly once each, in per-ticket order, within ${RATE}/s per number`, async () => {
    const tickets: OpenTicket[] = [];
    for (let i = 0; i < TICKETS; i += 1) tickets.push(await customerWrites(a, acme, `+55119400${String(i).padStart(5, '0')}`));

    // Replies accepted by both instances, interleaved; both instances' workers deliver.
    const ids: string[] = [];
    for (let n = 0; n < PER_TICKET; n += 1) {
      const batch = tickets.map((ticket, i) => reply((i + n) % 2 === 0 ? a : b, ticket, { body: `${ticket.contact} #${n}` }));
      for (const answer of await Promise.all(batch)) {
        expect(answer.status).toBe(202);
        ids.push(answer.body.id);
      }
    }

    const messages = a.service.connection.db!.collection('messages');
    await eventually(async () => ((await messages.countDocuments({ _id: { $in: ids as never[] }, status: 'sent' })) === ids.length ? true : undefined), 150_000, 500);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const sends = a.emulator.state.sentMessages.filter((m) => m.from === `whatsapp:${acme.number}`);
    // Exactly once: one send per message, and each stored SID is one of them.
    expect(sends).toHaveLength(ids.length);
    expect(new Set(sends.map((s) => s.body)).size).toBe(ids.length);
    const stored = await messages.find({ _id: { $in: ids as never[] } }).toArray();
    expect(new Set(stored.map((m) => m.twilioSid))).toEqual(new Set(sends.map((s) => s.sid)));
    // (attempts may exceed 1 on a loaded machine: an attempt whose send slot came too late in
    // its lease is reconciled and sent later — still once.)

    // Per-ticket order: each contact received #0, #1, ... in order.
    for (const ticket of tickets) {
      const received = sends.filter((s) => s.to === `whatsapp:${ticket.contact}`).map((s) => s.body);
      expect(received).toEqual(Array.from({ length: PER_TICKET }, (_, n) => `${ticket.contact} #${n}`));
    }

    // Rate: never more than RATE sends in any sliding second, as the emulator timed their arrival.
    const times = sends.map((s) => s.receivedAt);
    const peak = maxInAnyWindow(times);
    const spanSeconds = (Math.max(...times) - Math.min(...times)) / 1000;
    process.stdout.write(`outbound scale: ${sends.length} sends in ${spanSeconds.toFixed(2)} s (${(sends.length / spanSeconds).toFixed(1)}/s), peak ${peak} in any 1 s window (limit ${RATE})\n`);
    expect(peak).toBeLessThanOrEqual(RATE);

    // Both instances delivered: each stamps its own public URL on the status callback.
    const callbackHosts = new Set(sends.map((s) => new URL(s.statusCallback!).port));
    expect(callbackHosts.size).toBe(2);
  });
});
