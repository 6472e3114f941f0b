import { randomBytes } from 'node:crypto';
import { startTwilioEmulator, type TwilioEmulator } from '../../src/emulator/twilio-emulator';
import { freePorts } from '../../src/infrastructure/persistence/database/free-port';
import { connectTestDatabase, type TestDatabase } from '../support/database/test-database';
import {
  ServiceProcess,
  ExistingNumber,
  WebhookOutcome,
  connectNumber,
  is2xx,
  postInbound,
  sleep,
  startServiceProcess,
  waitFor,
} from './support/service-process';

/**
 * An instance is killed with SIGKILL in the middle of an inbound burst. Twilio retries every
 * webhook that got no 2xx (refused, reset, no answer) against the surviving instance, as its
 * connection overrides make it do. Every webhook acknowledged by either instance, and every
 * retried one, ends filed exactly once: one message per MessageSid, counted once on its ticket.
 */

const CONTACTS = 12;
const MESSAGES_PER_CONTACT = 15;
const IN_FLIGHT = 24;
/** The kill comes once this many webhooks were acknowledged by the doomed instance. */
const KILL_AFTER_ACKS = 50;

let emulator: TwilioEmulator;
let database: TestDatabase;
let doomed: ServiceProcess;
let survivor: ServiceProcess;
let apiUrl: string;
let acme: ExistingNumber;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ senderOnlineDelayMs: 50 });
  database = await connectTestDatabase();
  const [doomedPort, survivorPort] = await freePorts(2, '127.0.0.1');
  apiUrl = `http://127.0.0.1:${survivorPort}`;
  const settings = {
    mongodbUri: database.uri,
    emulator,
    apiUrl,
    encryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
    // The survivor files what the dead instance accepted but never filed, soon.
    env: { INBOUND_FILING_RETRY_AFTER_MS: '1000', INBOUND_FILING_SWEEP_MS: '300' },
  };
  [doomed, survivor] = await Promise.all([startServiceProcess('doomed', doomedPort!, settings), startServiceProcess('survivor', survivorPort!, settings)]);
  acme = await connectNumber(survivor.url, emulator, 'acme', '+14155550101');
});

afterAll(async () => {
  await doomed?.killNow();
  await survivor?.stop();
  await database?.dropAndClose();
  await emulator?.close();
});

it('files every acknowledged and every retried webhook exactly once after SIGKILL mid-burst', async () => {
  const webhooks: Array<Record<string, string>> = [];
  for (let n = 0; n < MESSAGES_PER_CONTACT; n += 1) {
    for (let c = 0; c < CONTACTS; c += 1) {
      const from = `+55119700${String(c).padStart(5, '0')}`;
      webhooks.push(emulator.buildInboundParams({ to: acme.number, from, accountSid: acme.accountSid, body: `msg ${n} of ${from}` }));
    }
  }

  const firstTry = new Map<string, WebhookOutcome>();
  const retried = new Set<string>();
  let doomedAcks = 0;
  let killed: Promise<void> | null = null;

  // Twilio: the first try goes to the doomed instance until it is gone; a webhook without a 2xx
  // is retried (against the survivor) until it gets one.
  const deliver = async (params: Record<string, string>): Promise<void> => {
    const sid = params.MessageSid!;
    const first = killed === null ? await postInbound(doomed.url, apiUrl, acme.authToken, params) : await postInbound(survivor.url, apiUrl, acme.authToken, params);
    firstTry.set(sid, first);
    if (is2xx(first)) {
      if (killed === null && (doomedAcks += 1) === KILL_AFTER_ACKS) killed = doomed.killNow();
      return;
    }
    retried.add(sid);
    for (let attempt = 1; ; attempt += 1) {
      await sleep(100 * attempt);
      const again = await postInbound(survivor.url, apiUrl, acme.authToken, params);
      if (is2xx(again)) return;
      if (attempt >= 20) throw new Error(`webhook ${sid} never acknowledged: ${JSON.stringify(again)}`);
    }
  };

  const queue = [...webhooks];
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await deliver(next);
    }),
  );
  await killed;
  expect(doomed.child.signalCode).toBe('SIGKILL');
  // The kill came mid-burst: some webhooks were cut off and retried.
  expect(doomedAcks).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
  expect(doomedAcks).toBeLessThan(webhooks.length);

  const sids = webhooks.map((w) => w.MessageSid!);
  const db = database.connection.db!;
  const messages = db.collection('messages');
  // Everything is filed (the survivor's sweep takes what the dead instance left in its inbox).
  const stored = await waitFor(
    'every webhook filed on a ticket',
    async () => {
      const docs = await messages.find({ integrationId: acme.integrationId, direction: 'inbound' }).toArray();
      const onTickets = docs.filter((doc) => doc.ticketId);
      return onTickets.length >= sids.length ? docs : undefined;
    },
    90_000,
  );

  const perSid = new Map<string, number>();
  for (const doc of stored) perSid.set(String(doc.twilioSid), (perSid.get(String(doc.twilioSid)) ?? 0) + 1);
  expect([...perSid.keys()].sort()).toEqual([...sids].sort());
  expect([...perSid.values()].every((count) => count === 1)).toBe(true);

  // Counted once on its ticket: each contact has one ticket whose unread count is its messages.
  const tickets = await db.collection('tickets').find({ integrationId: acme.integrationId }).toArray();
  expect(tickets).toHaveLength(CONTACTS);
  for (const ticket of tickets) {
    const onTicket = stored.filter((doc) => String(doc.ticketId) === String(ticket._id));
    expect({ contact: ticket.contact.whatsappNumber, unread: ticket.unreadCount }).toEqual({ contact: ticket.contact.whatsappNumber, unread: onTicket.length });
    expect(onTicket).toHaveLength(MESSAGES_PER_CONTACT);
  }
  expect(retried.size).toBeGreaterThan(0);
});
