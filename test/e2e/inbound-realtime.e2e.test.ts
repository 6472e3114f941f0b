import { connectSse, SseConnection } from '../support/e2e/sse-client';
import { startTestService, TestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber, filed, postSigned } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

// Two instances on one database, like two replicas behind a load balancer: Twilio's webhook
// lands on B while the agent's dashboard streams from A.
let a: TestService;
let b: TestService;
let acme: ConnectedNumber;
let globex: ConnectedNumber;
const open: SseConnection[] = [];
const WEBHOOK = '/ticket-messages/webhook';

beforeAll(async () => {
  a = await startTestService();
  b = await startTestService({ sharedEmulator: a.emulator });
  acme = await connectExistingNumber(a, 'acme', '+14155555001');
  globex = await connectExistingNumber(a, 'globex', '+14155555002');
});
afterAll(async () => {
  for (const connection of open) connection.close();
  await b.close();
  await a.service.connection.dropDatabase();
  await a.close();
});

async function dashboard(t: TestService, companyId: string, lastEventId?: string): Promise<SseConnection> {
  const connection = await connectSse(t.service.url, { token: t.token(companyId, 'agent'), ...(lastEventId ? { lastEventId } : {}) });
  open.push(connection);
  expect(connection.status).toBe(200);
  return connection;
}

function inbound(to: ConnectedNumber, from: string, body: string, media?: Array<{ contentType: string }>) {
  return a.emulator.buildInboundParams({ to: to.number, from, accountSid: to.accountSid, body, ...(media ? { media } : {}) });
}

const eventsAfter = (connection: SseConnection, index: number) => connection.events.slice(index).map((e) => e.event);

describe('inbound messages reach the company’s dashboards live', () => {
  it('a webhook handled by instance B reaches a dashboard on instance A as ticket.created + message.created; another company sees nothing', async () => {
    const acmeOnA = await dashboard(a, 'acme');
    const globexOnA = await dashboard(a, 'globex');
    const params = inbound(acme, '+5511950000001', 'Oi, tudo bem?');
    const answer = await postSigned(b, WEBHOOK, params, { authToken: acme.authToken });
    expect(answer.status).toBe(200);

    // (A dashboard may first see setup events logged just before it connected; skip those.)
    const [created] = await acmeOnA.waitForEvents(1, 'ticket.created');
    const [message] = await acmeOnA.waitForEvents(1, 'message.created');
    expect(created!.data).toMatchObject({ companyId: 'acme', integrationId: acme.integrationId, unreadCount: 1, contact: { whatsappNumber: '+5511950000001' } });
    expect(message!.data).toMatchObject({ companyId: 'acme', direction: 'inbound', body: 'Oi, tudo bem?', twilioSid: params['MessageSid'], ticketId: (created!.data as { id: string }).id });
    expect(Number(message!.id)).toBeGreaterThan(Number(created!.id));

    // A second message on the open ticket: appended (message.created + ticket.updated), no new ticket.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const seen = acmeOnA.events.length;
    await postSigned(b, WEBHOOK, inbound(acme, '+5511950000001', 'Alô?'), { authToken: acme.authToken });
    await acmeOnA.waitForEvents(seen + 2);
    expect(eventsAfter(acmeOnA, seen).sort()).toEqual(['message.created', 'ticket.updated']);
    const updated = acmeOnA.events.slice(seen).find((e) => e.event === 'ticket.updated')!;
    expect(updated.data).toMatchObject({ id: (created!.data as { id: string }).id, unreadCount: 2 });

    // Globex's dashboard received none of it; nothing in any payload is a secret.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // (It may see its own integration's setup event, logged just before it connected.)
    expect(globexOnA.events.filter((e) => (e.data as { companyId?: string }).companyId !== 'globex')).toEqual([]);
    expect(globexOnA.events.filter((e) => e.event.startsWith('ticket.') || e.event.startsWith('message.'))).toEqual([]);
    expect(acmeOnA.text()).not.toContain(acme.authToken);
  });

  it('media messages announce their media (through Zapdesk URLs, never Twilio’s)', async () => {
    const acmeOnA = await dashboard(a, 'acme');
    const params = inbound(acme, '+5511950000002', '', [{ contentType: 'image/png' }]);
    await postSigned(b, WEBHOOK, params, { authToken: acme.authToken });
    const events = await acmeOnA.waitForEvents(1, 'message.created');
    const data = events[0]!.data as { id: string; media: Array<{ index: number; contentType: string; url: string }> };
    expect(data.media).toEqual([{ index: 0, contentType: 'image/png', url: `/ticket-messages/${data.id}/media/0` }]);
    expect(acmeOnA.text()).not.toContain(params['MediaUrl0']);
  });

  it('a dashboard reconnecting with Last-Event-ID receives exactly what it missed, in order', async () => {
    const first = await dashboard(a, 'globex');
    await postSigned(b, WEBHOOK, inbound(globex, '+5511950000003', 'primeira'), { authToken: globex.authToken });
    await first.waitForEvents(2);
    const resumeFrom = first.lastEventId()!;
    first.close();

    // While disconnected: three more messages, two contacts, handled by both instances.
    // (Each one filed before the next is sent, so the expected order is well defined.)
    await postSigned(b, WEBHOOK, inbound(globex, '+5511950000003', 'segunda'), { authToken: globex.authToken });
    await filed(b);
    await postSigned(a, WEBHOOK, inbound(globex, '+5511950000004', 'outra pessoa'), { authToken: globex.authToken });
    await filed(a);
    await postSigned(b, WEBHOOK, inbound(globex, '+5511950000003', 'terceira'), { authToken: globex.authToken });
    await filed(b);

    // A dashboard that never disconnected, to compare with.
    const reference = await connectSse(a.service.url, { token: a.token('globex', 'admin'), lastEventId: resumeFrom });
    open.push(reference);
    const resumed = await dashboard(b, 'globex', resumeFrom);
    const missed = await resumed.waitForEvents(6);
    const expected = await reference.waitForEvents(6);
    expect(missed.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    const ids = missed.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id > Number(resumeFrom))).toBe(true);
    const bodies = missed.filter((e) => e.event === 'message.created').map((e) => (e.data as { body: string }).body);
    expect(bodies).toEqual(['segunda', 'outra pessoa', 'terceira']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events).toHaveLength(6);
  });
});
