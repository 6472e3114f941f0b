import { randomBytes } from 'node:crypto';
import { TOKENS } from '../../src/application/ports/tokens';
import { Message } from '../../src/domain/message/message';
import { MessageRepository } from '../../src/domain/message/message.repository';
import { Ticket } from '../../src/domain/ticket/ticket';
import { TicketStatus } from '../../src/domain/ticket/ticket-status';
import { TicketRepository } from '../../src/domain/ticket/ticket.repository';
import { startTestService, TestService } from '../support/e2e/test-service';
import { connectExistingNumber } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

let t: TestService;
let nextNumber = 0;
const T0 = Date.parse('2026-02-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const newId = () => randomBytes(12).toString('hex');
const bearer = (companyId: string, role: 'admin' | 'agent' = 'agent') => `Bearer ${t.token(companyId, role)}`;

beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

const tickets = () => t.service.container.get<TicketRepository>(TOKENS.TicketRepository);
const messages = () => t.service.container.get<MessageRepository>(TOKENS.MessageRepository);

/** An `existing`-mode integration of the company, on an emulator account owning a fresh number. */
async function connect(companyId: string): Promise<string> {
  nextNumber += 1;
  const line = await connectExistingNumber(t, companyId, `+1415555${String(3000 + nextNumber).padStart(4, '0')}`);
  return line.integrationId;
}

let contactSeq = 0;
/** A ticket whose last activity is `activityAt`, after `unread` customer messages. */
async function seedTicket(input: { companyId: string; integrationId: string; activityAt: Date; unread?: number; status?: TicketStatus }): Promise<Ticket> {
  contactSeq += 1;
  const ticket = Ticket.open({
    id: newId(),
    companyId: input.companyId,
    integrationId: input.integrationId,
    contactNumber: `+55119${String(contactSeq).padStart(8, '0')}`,
    profileName: `Customer ${contactSeq}`,
    now: new Date(input.activityAt.getTime() - 60_000),
  });
  const unread = input.unread ?? 1;
  for (let i = 0; i < unread; i += 1) ticket.recordInbound({ messageId: newId(), preview: `hello ${i}`, at: new Date(input.activityAt.getTime() - (unread - 1 - i)) });
  if (input.status === 'pending' || input.status === 'closed') ticket.changeStatus(input.status, input.activityAt);
  await tickets().save(ticket);
  return ticket;
}

async function seedMessage(ticket: Ticket, createdAt: Date, body: string, id = newId()): Promise<Message> {
  const message = Message.receive({
    id,
    companyId: ticket.companyId,
    ticketId: ticket.id,
    integrationId: ticket.integrationId,
    twilioSid: `SM${randomBytes(16).toString('hex')}`,
    body,
    media: [{ url: 'https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0', contentType: 'image/jpeg' }],
    now: createdAt,
  });
  await messages().save(message);
  return message;
}

async function walk(path: string, companyId: string, limit: number, between?: (page: number) => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const seen: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const query: Record<string, string | number> = { limit, ...(cursor === null ? {} : { cursor }) };
    const response = await t.http.get(path).query(query).set('Authorization', bearer(companyId));
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return seen;
    expect(typeof cursor).toBe('string');
    await between?.(page);
  }
  throw new Error('pagination did not end');
}

const ids = (items: ReadonlyArray<Record<string, unknown>>) => items.map((item) => item['id']);

describe('GET /tickets', () => {
  it('lists the company’s tickets, newest activity first, as ticket views', async () => {
    const integrationId = await connect('list-order');
    const minutes = [5, 1, 9, 3, 7];
    const seeded = await Promise.all(minutes.map((m) => seedTicket({ companyId: 'list-order', integrationId, activityAt: at(m) })));

    const response = await t.http.get('/tickets').set('Authorization', bearer('list-order'));

    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    const byActivity = [...seeded].sort((a, b) => b.toSnapshot().lastMessage!.at.getTime() - a.toSnapshot().lastMessage!.at.getTime());
    expect(ids(response.body.items)).toEqual(byActivity.map((ticket) => ticket.id));
    const first = response.body.items[0];
    expect(first).toEqual({
      id: byActivity[0]!.id,
      companyId: 'list-order',
      integrationId,
      contact: { whatsappNumber: byActivity[0]!.contact.whatsappNumber, profileName: byActivity[0]!.contact.profileName, waId: null, optedOut: false },
      status: 'open',
      unreadCount: 1,
      lastMessage: { preview: 'hello 0', at: at(9).toISOString(), direction: 'inbound' },
      lastInboundAt: at(9).toISOString(),
      createdAt: new Date(at(9).getTime() - 60_000).toISOString(),
      updatedAt: at(9).toISOString(),
    });
  });

  it('filters by status, by integration, and by both', async () => {
    const one = await connect('list-filter');
    const two = await connect('list-filter');
    const a = await seedTicket({ companyId: 'list-filter', integrationId: one, activityAt: at(1), status: 'open' });
    const b = await seedTicket({ companyId: 'list-filter', integrationId: one, activityAt: at(2), status: 'pending' });
    const c = await seedTicket({ companyId: 'list-filter', integrationId: two, activityAt: at(3), status: 'pending' });
    const d = await seedTicket({ companyId: 'list-filter', integrationId: two, activityAt: at(4), status: 'closed' });
    const list = async (query: Record<string, string>) => {
      const response = await t.http.get('/tickets').query(query).set('Authorization', bearer('list-filter'));
      expect(response.status).toBe(200);
      return ids(response.body.items);
    };

    expect(await list({})).toEqual([d.id, c.id, b.id, a.id]);
    expect(await list({ status: 'pending' })).toEqual([c.id, b.id]);
    expect(await list({ status: 'closed' })).toEqual([d.id]);
    expect(await list({ integrationId: one })).toEqual([b.id, a.id]);
    expect(await list({ integrationId: two, status: 'pending' })).toEqual([c.id]);
    expect(await list({ integrationId: 'unknownintegration' })).toEqual([]);
  });

  it('cursor pagination walks every ticket exactly once, also with equal times and while new tickets arrive', async () => {
    const integrationId = await connect('list-walk');
    // 23 tickets over 8 distinct times: ties are broken by id.
    const seeded = await Promise.all(Array.from({ length: 23 }, (_, i) => seedTicket({ companyId: 'list-walk', integrationId, activityAt: at(i % 8) })));
    const arrived: string[] = [];

    const seen = await walk('/tickets', 'list-walk', 5, async (page) => {
      if (page > 1) return;
      const fresh = await seedTicket({ companyId: 'list-walk', integrationId, activityAt: at(100 + page) });
      arrived.push(fresh.id);
    });

    const seenIds = ids(seen);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    const expectedOrder = [...seeded]
      .sort((x, y) => y.toSnapshot().lastMessage!.at.getTime() - x.toSnapshot().lastMessage!.at.getTime() || (y.id < x.id ? -1 : 1))
      .map((ticket) => ticket.id);
    // Tickets that arrived mid-walk sort before the cursor: not seen, and nothing shifted.
    expect(seenIds).toEqual(expectedOrder);
    expect(arrived).toHaveLength(2);
    const fresh = await t.http.get('/tickets').query({ limit: 2 }).set('Authorization', bearer('list-walk'));
    expect(ids(fresh.body.items)).toEqual([...arrived].reverse());
  });

  it('refuses a malformed cursor, a foreign cursor, a bad limit or an unknown parameter with 400', async () => {
    const integrationId = await connect('list-invalid');
    const ticket = await seedTicket({ companyId: 'list-invalid', integrationId, activityAt: at(1) });
    for (let i = 0; i < 3; i += 1) await seedMessage(ticket, at(i), `m${i}`);
    const messagesPage = await t.http.get(`/tickets/${ticket.id}/messages`).query({ limit: 1 }).set('Authorization', bearer('list-invalid'));
    const messageCursor = messagesPage.body.nextCursor as string;
    expect(typeof messageCursor).toBe('string');

    const bad: Array<Record<string, string>> = [
      { cursor: 'not-a-cursor' },
      { cursor: Buffer.from('["t","x","y"]').toString('base64url') },
      { cursor: Buffer.from('{}').toString('base64url') },
      { cursor: messageCursor },
      { cursor: '' },
      { limit: '0' },
      { limit: '201' },
      { limit: 'ten' },
      { limit: '-1' },
      { limit: '2.5' },
      { status: 'archived' },
      { page: '2' },
    ];
    for (const query of bad) {
      const response = await t.http.get('/tickets').query(query).set('Authorization', bearer('list-invalid'));
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(response.body.error.code).toMatch(/^VALIDATION\./);
    }
    const messagesBad = await t.http.get(`/tickets/${ticket.id}/messages`).query({ cursor: 'bm9wZQ' }).set('Authorization', bearer('list-invalid'));
    expect(messagesBad.status).toBe(400);
    expect(messagesBad.body.error.details).toEqual([expect.objectContaining({ field: 'cursor' })]);

    const max = await t.http.get('/tickets').query({ limit: '200' }).set('Authorization', bearer('list-invalid'));
    expect(max.status).toBe(200);
  });

  it('authentication: agent and admin may read; no token or a bad token → 401', async () => {
    const integrationId = await connect('list-auth');
    const ticket = await seedTicket({ companyId: 'list-auth', integrationId, activityAt: at(1) });
    for (const role of ['agent', 'admin'] as const) {
      const response = await t.http.get('/tickets').set('Authorization', bearer('list-auth', role));
      expect(response.status).toBe(200);
      expect(ids(response.body.items)).toEqual([ticket.id]);
    }
    for (const path of ['/tickets', `/tickets/${ticket.id}`, `/tickets/${ticket.id}/messages`]) {
      expect((await t.http.get(path)).status).toBe(401);
      expect((await t.http.get(path).set('Authorization', 'Bearer nope')).status).toBe(401);
    }
    expect((await t.http.patch(`/tickets/${ticket.id}`).send({ status: 'closed' })).status).toBe(401);
    expect((await tickets().findById('list-auth', ticket.id))!.status).toBe('open');
  });
});

describe('GET /tickets/:id and PATCH /tickets/:id', () => {
  it('another company’s ticket is a 404 on every route, and stays untouched', async () => {
    const integrationId = await connect('owner-co');
    const ticket = await seedTicket({ companyId: 'owner-co', integrationId, activityAt: at(1), unread: 2 });
    await seedMessage(ticket, at(1), 'private');
    const intruder = bearer('intruder-co', 'admin');

    const responses = [
      await t.http.get(`/tickets/${ticket.id}`).set('Authorization', intruder),
      await t.http.get(`/tickets/${ticket.id}/messages`).set('Authorization', intruder),
      await t.http.patch(`/tickets/${ticket.id}`).set('Authorization', intruder).send({ status: 'closed', read: true }),
      await t.http.get('/tickets/does-not-exist').set('Authorization', bearer('owner-co')),
    ];
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('TICKET.NOT_FOUND');
    }
    const list = await t.http.get('/tickets').set('Authorization', intruder);
    expect(list.body.items).toEqual([]);
    const stored = (await tickets().findById('owner-co', ticket.id))!;
    expect(stored.toSnapshot()).toMatchObject({ status: 'open', unreadCount: 2, version: ticket.version });
  });

  it('moves open → pending → closed; closed is final (409); the same status again changes nothing', async () => {
    const integrationId = await connect('patch-status');
    const ticket = await seedTicket({ companyId: 'patch-status', integrationId, activityAt: at(1) });
    const patch = (body: unknown, role: 'admin' | 'agent' = 'agent') => t.http.patch(`/tickets/${ticket.id}`).set('Authorization', bearer('patch-status', role)).send(body as object);

    const pending = await patch({ status: 'pending' });
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ id: ticket.id, status: 'pending' });
    const reopened = await patch({ status: 'open' }, 'admin');
    expect(reopened.body.status).toBe('open');
    const closed = await patch({ status: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const versionWhenClosed = (await tickets().findById('patch-status', ticket.id))!.version;

    const again = await patch({ status: 'closed' });
    expect(again.status).toBe(200);
    for (const to of ['open', 'pending']) {
      const refused = await patch({ status: to });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('TICKET.INVALID_TRANSITION');
    }
    const got = await t.http.get(`/tickets/${ticket.id}`).set('Authorization', bearer('patch-status'));
    expect(got.body.status).toBe('closed');
    expect((await tickets().findById('patch-status', ticket.id))!.version).toBe(versionWhenClosed);
  });

  it('refuses a bad body with 400 and writes nothing', async () => {
    const integrationId = await connect('patch-invalid');
    const ticket = await seedTicket({ companyId: 'patch-invalid', integrationId, activityAt: at(1), unread: 2 });
    const bodies: unknown[] = [{}, { status: 'archived' }, { read: false }, { read: 'yes' }, { status: 'closed', unreadCount: 0 }, { status: 'closed', read: true, extra: 1 }];
    for (const body of bodies) {
      const response = await t.http.patch(`/tickets/${ticket.id}`).set('Authorization', bearer('patch-invalid')).send(body as object);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.body.error.code).toBe('VALIDATION.INVALID_REQUEST');
    }
    expect((await tickets().findById('patch-invalid', ticket.id))!.toSnapshot()).toMatchObject({ status: 'open', unreadCount: 2, version: ticket.version });
  });

  it('read: true resets the unread count; reading the ticket or its messages does not', async () => {
    const integrationId = await connect('patch-read');
    const ticket = await seedTicket({ companyId: 'patch-read', integrationId, activityAt: at(1), unread: 3 });
    await seedMessage(ticket, at(1), 'hi');

    expect((await t.http.get(`/tickets/${ticket.id}`).set('Authorization', bearer('patch-read'))).body.unreadCount).toBe(3);
    expect((await t.http.get(`/tickets/${ticket.id}/messages`).set('Authorization', bearer('patch-read'))).status).toBe(200);
    expect((await tickets().findById('patch-read', ticket.id))!.toSnapshot()).toMatchObject({ unreadCount: 3, version: ticket.version });

    const read = await t.http.patch(`/tickets/${ticket.id}`).set('Authorization', bearer('patch-read')).send({ read: true });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ unreadCount: 0, status: 'open' });
    expect((await tickets().findById('patch-read', ticket.id))!.unreadCount).toBe(0);

    const both = await t.http.patch(`/tickets/${ticket.id}`).set('Authorization', bearer('patch-read', 'admin')).send({ read: true, status: 'pending' });
    expect(both.body).toMatchObject({ unreadCount: 0, status: 'pending' });
  });

  it('concurrent PATCHes and inbound bumps all land (stale writes are retried)', async () => {
    const integrationId = await connect('patch-race');
    const ticket = await seedTicket({ companyId: 'patch-race', integrationId, activityAt: at(1), unread: 1 });
    const bump = async (i: number) => {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const fresh = (await tickets().findById('patch-race', ticket.id))!;
        fresh.recordInbound({ messageId: `bump-${i}`, preview: `bump ${i}`, at: at(2 + i) });
        try {
          await tickets().save(fresh);
          return;
        } catch {
          // stale: read again
        }
      }
      throw new Error('bump never landed');
    };

    const [patched] = await Promise.all([
      t.http.patch(`/tickets/${ticket.id}`).set('Authorization', bearer('patch-race')).send({ status: 'pending' }),
      bump(1),
      bump(2),
    ]);

    expect(patched.status).toBe(200);
    const stored = (await tickets().findById('patch-race', ticket.id))!;
    // Every bump counted; the PATCH either came last (pending) or a later bump reopened it (open).
    expect(stored.unreadCount).toBe(3);
    expect(stored.hasCounted('bump-1') && stored.hasCounted('bump-2')).toBe(true);
    expect(['pending', 'open']).toContain(stored.status);
  });
});

describe('GET /tickets/:id/messages', () => {
  it('lists the ticket’s messages oldest first, walking pages with the cursor', async () => {
    const integrationId = await connect('messages-walk');
    const ticket = await seedTicket({ companyId: 'messages-walk', integrationId, activityAt: at(10) });
    const other = await seedTicket({ companyId: 'messages-walk', integrationId, activityAt: at(11) });
    const minutes = [4, 0, 6, 2, 2, 2, 5, 1];
    const seeded = await Promise.all(minutes.map((m, i) => seedMessage(ticket, at(m), `message ${i}`)));
    await seedMessage(other, at(3), 'elsewhere');

    const seen = await walk(`/tickets/${ticket.id}/messages`, 'messages-walk', 3);

    const expected = [...seeded]
      .sort((a, b) => a.toSnapshot().createdAt.getTime() - b.toSnapshot().createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((message) => message.id);
    expect(ids(seen)).toEqual(expected);
    const first = seen[0]!;
    expect(first).toMatchObject({ ticketId: ticket.id, direction: 'inbound', status: 'received', body: 'message 1' });
    // Media are Zapdesk's own paths, never Twilio's URLs.
    expect(first['media']).toEqual([{ index: 0, contentType: 'image/jpeg', url: `/ticket-messages/${first['id']}/media/0` }]);
    expect(JSON.stringify(seen)).not.toContain('api.twilio.com');

    const empty = await t.http.get(`/tickets/${(await seedTicket({ companyId: 'messages-walk', integrationId, activityAt: at(12) })).id}/messages`).set('Authorization', bearer('messages-walk', 'admin'));
    expect(empty.body).toEqual({ items: [], nextCursor: null });
  });

  it('a message stored after the walk began still shows up on a later page', async () => {
    const integrationId = await connect('messages-append');
    const ticket = await seedTicket({ companyId: 'messages-append', integrationId, activityAt: at(10) });
    for (let i = 0; i < 4; i += 1) await seedMessage(ticket, at(i), `m${i}`);
    let late = '';

    const seen = await walk(`/tickets/${ticket.id}/messages`, 'messages-append', 2, async (page) => {
      if (page === 0) late = (await seedMessage(ticket, at(30), 'late')).id;
    });

    expect(ids(seen)).toHaveLength(5);
    expect(ids(seen)[4]).toBe(late);
  });
});
