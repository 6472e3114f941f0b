import { connectSse, SseConnection } from '../support/e2e/sse-client';
import { startTestService, TestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber, postSigned } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(90_000);

// Two instances behind one URL: a contact's messages land on either, one after the other.
// Each webhook is acknowledged before the next one is sent, so arrival order is well defined,
// and the conversation must be stored, listed and announced in exactly that order.
let a: TestService;
let b: TestService;
let acme: ConnectedNumber;
let dashboard: SseConnection;
const WEBHOOK = '/ticket-messages/webhook';
const CONTACTS = 20;
const PER_CONTACT = 4;

beforeAll(async () => {
  a = await startTestService();
  b = await startTestService({ sharedEmulator: a.emulator });
  acme = await connectExistingNumber(a, 'acme', '+14155555301');
  dashboard = await connectSse(a.service.url, { token: a.token('acme', 'agent') });
  expect(dashboard.status).toBe(200);
});
afterAll(async () => {
  dashboard.close();
  await b.close();
  await a.service.connection.dropDatabase();
  await a.close();
});

/** The instance's log lines at level error or above (pino: 50+). */
function errorLines(instance: TestService): string[] {
  return instance
    .logs()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { level: number; msg?: string; err?: { message?: string; stack?: string } })
    .filter((entry) => entry.level >= 50)
    .map((entry) => `${entry.msg ?? ''}: ${entry.err?.stack ?? entry.err?.message ?? ''}`);
}

function contactOf(n: number): string {
  return `+55119770000${String(n).padStart(2, '0')}`;
}

describe('a conversation keeps its order across instances', () => {
  it(`${CONTACTS} contacts × ${PER_CONTACT} messages, alternating instances, each acknowledged before the next: stored, listed and announced in arrival order`, async () => {
    // Contacts write at the same time; each contact's own messages follow one another.
    await Promise.all(
      Array.from({ length: CONTACTS }, async (_, contact) => {
        for (let k = 1; k <= PER_CONTACT; k++) {
          const instance = (contact + k) % 2 === 0 ? a : b;
          const params = a.emulator.buildInboundParams({ to: acme.number, from: contactOf(contact), accountSid: acme.accountSid, body: `contact ${contact} message ${k}` });
          const answer = await postSigned(instance, WEBHOOK, params, { authToken: acme.authToken });
          expect(answer.status).toBe(200);
        }
      }),
    );

    // (A generous wait: on a loaded 2-core machine the whole run shares the cores with the database.)
    const announced = await dashboard.waitForEvents(CONTACTS * PER_CONTACT, 'message.created', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing announced twice
    const bodies = dashboard.events.filter((e) => e.event === 'message.created').map((e) => (e.data as { body: string }).body);
    // Nothing went wrong on the way (and if something did, the failure says what).
    expect([...errorLines(a), ...errorLines(b)]).toEqual([]);
    expect(bodies).toHaveLength(announced.length);

    const token = a.token('acme', 'agent');
    for (let contact = 0; contact < CONTACTS; contact++) {
      const expected = Array.from({ length: PER_CONTACT }, (_, k) => `contact ${contact} message ${k + 1}`);
      // Announced in order (the SSE stream is the event log's order)...
      expect(bodies.filter((body) => body.startsWith(`contact ${contact} `))).toEqual(expected);
      // ...and listed in order, from either instance.
      const ticketId = (announced.find((e) => (e.data as { body: string }).body === expected[0])!.data as { ticketId: string }).ticketId;
      for (const instance of [a, b]) {
        const response = await fetch(`${instance.service.url}/tickets/${ticketId}/messages`, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status).toBe(200);
        const page = (await response.json()) as { items: Array<{ body: string; createdAt: string }> };
        expect(page.items.map((m) => m.body)).toEqual(expected);
        const times = page.items.map((m) => Date.parse(m.createdAt));
        expect(times).toEqual([...times].sort((x, y) => x - y));
        expect(new Set(times).size).toBe(times.length);
      }
    }
  });
});
