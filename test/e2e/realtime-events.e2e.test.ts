import { Types } from 'mongoose';
import { DomainEventPublisher } from '../../src/application/ports/domain-event-publisher.port';
import { NotificationStore } from '../../src/application/ports/notification.port';
import { TOKENS } from '../../src/application/ports/tokens';
import { Message } from '../../src/domain/message/message';
import { MessageRepository } from '../../src/domain/message/message.repository';
import { Ticket } from '../../src/domain/ticket/ticket';
import { TicketRepository } from '../../src/domain/ticket/ticket.repository';
import { connectSse, SseConnection } from '../support/e2e/sse-client';
import { eventually, startTestService, TestService } from '../support/e2e/test-service';
import { connectExistingNumber } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

let t: TestService;
const open: SseConnection[] = [];

beforeAll(async () => {
  t = await startTestService({ env: { SSE_HEARTBEAT_MS: '150', SSE_RETRY_MS: '500' } });
});
afterEach(() => {
  for (const connection of open.splice(0)) connection.close();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

async function sse(companyId: string, role: 'admin' | 'agent', extra: { userId?: string; lastEventId?: string; tokenInQuery?: boolean } = {}) {
  const connection = await connectSse(t.service.url, {
    token: t.token(companyId, role, extra.userId),
    ...(extra.tokenInQuery ? { tokenInQuery: true } : {}),
    ...(extra.lastEventId !== undefined ? { lastEventId: extra.lastEventId } : {}),
  });
  open.push(connection);
  expect(connection.status).toBe(200);
  return connection;
}

let numberSeq = 0;
async function createExisting(companyId: string) {
  const line = await connectExistingNumber(t, companyId, `+1415556${String(1000 + numberSeq++).padStart(4, '0')}`);
  return { id: line.integrationId, authToken: line.authToken };
}

/** A ticket and its first inbound message saved through the repositories, their events published. */
async function saveTicketWithMessage(companyId: string) {
  const now = new Date();
  const contactNumber = `+55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const ticket = Ticket.open({ id: new Types.ObjectId().toHexString(), companyId, integrationId: 'int-1', contactNumber, now });
  const message = Message.receive({
    id: new Types.ObjectId().toHexString(),
    companyId,
    ticketId: ticket.id,
    integrationId: 'int-1',
    twilioSid: `SM${new Types.ObjectId().toHexString()}`,
    body: 'hello',
    media: [],
    now,
  });
  await t.service.container.get<TicketRepository>(TOKENS.TicketRepository).save(ticket);
  await t.service.container.get<MessageRepository>(TOKENS.MessageRepository).save(message);
  await t.service.container.get<DomainEventPublisher>(TOKENS.DomainEventPublisher).publishAll([...ticket.pullDomainEvents(), ...message.pullDomainEvents()]);
  return { ticket, message };
}

describe('GET /events (server-sent events)', () => {
  it('streams with SSE headers, a retry hint and heartbeat comments', async () => {
    const client = await sse('acme', 'admin');
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(client.headers['cache-control']).toBe('no-cache');
    expect(client.headers['x-accel-buffering']).toBe('no');
    await client.waitForComments(3); // ":ok" then two heartbeats
    expect(client.comments.filter((c) => c === '').length).toBeGreaterThanOrEqual(2);
    expect(client.text()).toMatch(/retry: 500/);
  });

  it("a company's clients receive its integration events; another company's client receives none of them", async () => {
    const adminA = await sse('acme', 'admin');
    const agentA = await sse('acme', 'agent', { tokenInQuery: true });
    const adminB = await sse('globex', 'admin');

    const integration = await createExisting('acme');
    const [event] = await adminA.waitForEvents(1, 'integration.updated');
    expect(event!.data).toMatchObject({ id: integration.id, companyId: 'acme', status: 'active' });
    expect(Number(event!.id)).toBeGreaterThan(0);
    await agentA.waitForEvents(1, 'integration.updated');

    // B's first event is its own: A's never reached it (no sleeps needed to prove "nothing").
    const own = await createExisting('globex');
    const [bFirst] = await adminB.waitForEvents(1);
    expect(bFirst!.data).toMatchObject({ id: own.id, companyId: 'globex' });
    expect(adminB.events.every((e) => (e.data as { companyId: string }).companyId === 'globex')).toBe(true);

    for (const text of [adminA.text(), agentA.text(), adminB.text()]) {
      expect(text).not.toContain(integration.authToken);
      expect(text).not.toContain(own.authToken);
      expect(text).not.toMatch(/authToken/i);
    }
  });

  it('a ticket opened with its first message arrives as ticket.created then message.created', async () => {
    const client = await sse('acme', 'agent');
    const { ticket, message } = await saveTicketWithMessage('acme');
    const events = await client.waitForEvents(2);
    expect(events.map((e) => e.event)).toEqual(['ticket.created', 'message.created']);
    expect(events[0]!.data).toMatchObject({ id: ticket.id, status: 'open', contact: { whatsappNumber: ticket.toSnapshot().contact.whatsappNumber } });
    expect(events[1]!.data).toMatchObject({ id: message.id, ticketId: ticket.id, body: 'hello', status: 'received' });
    expect(Number(events[1]!.id)).toBe(Number(events[0]!.id) + 1);
  });

  it('notification.created reaches only the role or user it is addressed to', async () => {
    const admin = await sse('acme', 'admin', { userId: 'u-admin' });
    const agent = await sse('acme', 'agent', { userId: 'u-agent' });
    const otherAgent = await sse('acme', 'agent', { userId: 'u-other' });
    const store = t.service.container.get<NotificationStore>(TOKENS.NotificationStore);

    await store.add({ companyId: 'acme', recipient: { role: 'admin' }, kind: 'low_balance', subjectId: 'int-9', message: 'balance is low' });
    await store.add({ companyId: 'acme', recipient: { userId: 'u-agent' }, kind: 'message_failed', subjectId: 'msg-9', message: 'send failed' });
    // A deduplicated notification is not stored, so not announced either.
    const dedupe = { companyId: 'acme', recipient: { role: 'admin' as const }, kind: 'low_balance' as const, subjectId: 'int-9', message: 'again', dedupeKey: 'k-1' };
    await store.add(dedupe);
    await store.add(dedupe);
    await saveTicketWithMessage('acme'); // everyone's: marks the end of the batch above

    await admin.waitForEvents(1, 'message.created');
    await agent.waitForEvents(1, 'message.created');
    await otherAgent.waitForEvents(1, 'message.created');
    const notes = (c: SseConnection) => c.events.filter((e) => e.event === 'notification.created').map((e) => (e.data as { message: string }).message);
    expect(notes(admin)).toEqual(['balance is low', 'again']);
    expect(notes(agent)).toEqual(['send failed']);
    expect(notes(otherAgent)).toEqual([]);
  });

  it('a client reconnecting with Last-Event-ID gets exactly what it missed, in order, then live events', async () => {
    const first = await sse('acme', 'admin');
    await saveTicketWithMessage('acme');
    await first.waitForEvents(2);
    const resumeFrom = first.lastEventId()!;
    first.close();

    const missed = [await saveTicketWithMessage('acme'), await saveTicketWithMessage('acme')];
    await saveTicketWithMessage('globex'); // not theirs

    const again = await sse('acme', 'admin', { lastEventId: resumeFrom });
    const replayed = await again.waitForEvents(4);
    expect(replayed.map((e) => (e.data as { id: string }).id)).toEqual(missed.flatMap(({ ticket, message }) => [ticket.id, message.id]));
    const ids = replayed.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(Number(resumeFrom));

    const live = await saveTicketWithMessage('acme');
    const all = await again.waitForEvents(6);
    expect(all.slice(4).map((e) => (e.data as { id: string }).id)).toEqual([live.ticket.id, live.message.id]);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it('a client that saw no event yet still resumes from where it connected (id-only block)', async () => {
    const first = await sse('acme', 'agent');
    await first.waitForComments(1);
    const resumeFrom = first.lastEventId();
    expect(resumeFrom).toMatch(/^\d+$/);
    first.close();
    const missed = await saveTicketWithMessage('acme');
    const again = await sse('acme', 'agent', { lastEventId: resumeFrom! });
    const events = await again.waitForEvents(2);
    expect(events.map((e) => (e.data as { id: string }).id)).toEqual([missed.ticket.id, missed.message.id]);
  });

  it('an id the log cannot account for gets stream.reset, then live events', async () => {
    const client = await sse('acme', 'admin', { lastEventId: '999999999' });
    const [reset] = await client.waitForEvents(1, 'stream.reset');
    expect(reset!.data).toMatchObject({ action: 'refetch' });
    const { ticket } = await saveTicketWithMessage('acme');
    // (Events of earlier tests may still be arriving: look for this ticket's.)
    await eventually(async () => (client.events.some((e) => e.event === 'ticket.created' && (e.data as { id: string }).id === ticket.id) ? true : undefined));
  });

  it('refuses bad requests before streaming: no token, bad token, bad Last-Event-ID', async () => {
    expect((await t.http.get('/events')).status).toBe(401);
    const bad = await t.http.get('/events?access_token=not-a-jwt');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('AUTH.UNAUTHENTICATED');
    const badId = await t.http.get('/events').set('Authorization', `Bearer ${t.token('acme', 'admin')}`).set('Last-Event-ID', 'abc');
    expect(badId.status).toBe(400);
    expect((await t.http.get('/events?lastEventId=-1').set('Authorization', `Bearer ${t.token('acme', 'admin')}`)).status).toBe(400);
    // The URL token is for the event stream only.
    expect((await t.http.get(`/notifications?access_token=${t.token('acme', 'admin')}`)).status).toBe(401);
  });
});
