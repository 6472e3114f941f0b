import { randomBytes } from 'node:crypto';
import { startTwilioEmulator, type TwilioEmulator } from '../../src/emulator/twilio-emulator';
import { freePorts } from '../../src/infrastructure/persistence/database/free-port';
import { connectTestDatabase, type TestDatabase } from '../support/database/test-database';
import { ExistingNumber, ServiceProcess, bearer, connectNumber, is2xx, postInbound, sleep, startServiceProcess, waitFor } from './support/service-process';

/**
 * An instance is killed with SIGKILL in the middle of an outbound burst (replies accepted by it,
 * some being sent by its workers). The other instance takes the dead one's leases over once they
 * expire: every accepted reply reaches Twilio exactly once, each ticket's in the order accepted.
 * (test/e2e/outbound-crash covers the single in-process crash between Twilio's answer and the
 * write, with its reconciliation paths; this is the real process death under load.)
 */

const TICKETS = 10;
const REPLIES_PER_TICKET = 10;
/** The kill comes once Twilio took this many of the burst's messages. */
const KILL_AFTER_SENDS = 30;

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
    env: {
      DELIVERY_POLL_INTERVAL_MS: '50',
      DELIVERY_BACKOFF_BASE_MS: '100',
      DELIVERY_BACKOFF_MAX_MS: '2000',
      // A dead worker's lease runs out after 5 s; then the survivor reconciles and sends.
      DELIVERY_LEASE_MS: '5000',
      DELIVERY_SEND_DEADLINE_MARGIN_MS: '2000',
      DELIVERY_PARK_MS: '500',
      DELIVERY_UNCONFIRMED_SETTLE_MS: '1000',
    },
  };
  [doomed, survivor] = await Promise.all([startServiceProcess('doomed', doomedPort!, settings), startServiceProcess('survivor', survivorPort!, settings)]);
  acme = await connectNumber(survivor.url, emulator, 'acme', '+14155550202');
  // A rate that makes the burst last a few seconds, so the kill lands in the middle of it.
  const paced = await fetch(`${survivor.url}/integrations/${acme.integrationId}`, {
    method: 'PATCH',
    headers: { Authorization: bearer('acme', 'admin'), 'Content-Type': 'application/json' },
    body: JSON.stringify({ sendRatePerSecond: 10 }),
  });
  expect(paced.status).toBe(200);
});

afterAll(async () => {
  await doomed?.killNow();
  await survivor?.stop();
  await database?.dropAndClose();
  await emulator?.close();
});

it('delivers every accepted reply exactly once, in per-ticket order, after SIGKILL mid-burst', async () => {
  const db = database.connection.db!;
  const contacts = Array.from({ length: TICKETS }, (_, i) => `+55119800${String(i).padStart(5, '0')}`);
  const ticketIds = new Map<string, string>();
  for (const contact of contacts) {
    const params = emulator.buildInboundParams({ to: acme.number, from: contact, accountSid: acme.accountSid, body: 'Olá' });
    expect(is2xx(await postInbound(survivor.url, apiUrl, acme.authToken, params))).toBe(true);
    const ticket = await waitFor('ticket opened', async () => (await db.collection('tickets').findOne({ 'contact.whatsappNumber': contact, status: 'open' })) ?? undefined);
    ticketIds.set(contact, String(ticket._id));
  }

  const sentTo = (contact: string) => emulator.state.sentMessages.filter((m) => m.to === `whatsapp:${contact}`);
  const sentOfBurst = () => emulator.state.sentMessages.filter((m) => m.accountSid === acme.accountSid).length;
  let killedAt: number | null = null;
  const killer = (async () => {
    while (sentOfBurst() < KILL_AFTER_SENDS) await sleep(10);
    killedAt = sentOfBurst();
    await doomed.killNow();
  })();

  // Each ticket's replies go one after the other (the agent waits for each 202) to the doomed
  // instance; once it is gone, the agent stops: what got no 202 is not accepted.
  const accepted = new Map<string, string[]>();
  const unanswered = new Map<string, string>();
  await Promise.all(
    contacts.map(async (contact) => {
      const bodies: string[] = [];
      accepted.set(contact, bodies);
      for (let n = 0; n < REPLIES_PER_TICKET; n += 1) {
        const body = `reply ${n} to ${contact}`;
        const answer = await fetch(`${doomed.url}/tickets/${ticketIds.get(contact)}/messages`, {
          method: 'POST',
          headers: { Authorization: bearer('acme', 'agent'), 'Content-Type': 'application/json' },
          body: JSON.stringify({ body }),
        }).catch(() => null);
        if (answer?.status !== 202) {
          // Reset mid-request: the reply may or may not have been stored.
          if (answer === null) unanswered.set(contact, body);
          return;
        }
        bodies.push(body);
        await sleep(150);
      }
    }),
  );
  await killer;
  expect(doomed.child.signalCode).toBe('SIGKILL');
  const acceptedCount = [...accepted.values()].reduce((sum, bodies) => sum + bodies.length, 0);
  // The kill came mid-burst: Twilio had taken only part of what was accepted.
  expect(killedAt).toBeLessThan(acceptedCount);

  // The survivor delivers the rest once the dead instance's leases expire.
  const stillOwed = async () => db.collection('messages').countDocuments({ integrationId: acme.integrationId, direction: 'outbound', status: { $in: ['queued', 'sending'] } });
  await waitFor('every accepted reply sent', async () => ((await stillOwed()) === 0 ? true : undefined), 90_000);
  await sleep(1500); // room for a late duplicate to show up

  for (const contact of contacts) {
    const bodies = sentTo(contact).map((m) => m.body);
    const expected = accepted.get(contact)!;
    // A reply cut off by the kill (no 202) may have been stored: then it comes last, once.
    const inDoubt = unanswered.get(contact);
    if (inDoubt !== undefined && bodies.length === expected.length + 1) expect(bodies).toEqual([...expected, inDoubt]);
    else expect(bodies).toEqual(expected);
  }
  const outbound = await db.collection('messages').find({ integrationId: acme.integrationId, direction: 'outbound' }).toArray();
  expect(outbound.filter((m) => !['sent', 'delivered', 'read'].includes(String(m.status)))).toEqual([]);
  expect(new Set(outbound.map((m) => m.twilioSid)).size).toBe(outbound.length);
});
