import { DuplicateMessageError } from '../../src/domain/message/message.repository';
import { Message } from '../../src/domain/message/message';
import { ConcurrencyError } from '../../src/domain/shared/domain-error';
import { OpenTicketExistsError } from '../../src/domain/ticket/ticket.repository';
import { Ticket } from '../../src/domain/ticket/ticket';
import { MongooseMessageRepository } from '../../src/infrastructure/persistence/mongoose/message/mongoose-message.repository';
import { MongooseTicketRepository } from '../../src/infrastructure/persistence/mongoose/ticket/mongoose-ticket.repository';
import { connectTestDatabase, TestDatabase } from '../support/database/test-database';

const T0 = new Date('2026-06-01T08:00:00.000Z');
let database: TestDatabase;
let tickets: MongooseTicketRepository;
let messages: MongooseMessageRepository;
let seq = 0;

beforeAll(async () => {
  database = await connectTestDatabase();
  tickets = new MongooseTicketRepository(database.connection);
  messages = new MongooseMessageRepository(database.connection);
  await tickets.ensureIndexes();
  await messages.ensureIndexes();
});
afterAll(() => database.dropAndClose());

const openTicket = (contact: string) =>
  Ticket.open({ id: `t-${++seq}`, companyId: 'acme', integrationId: 'i-1', contactNumber: contact, profileName: 'Ana', openedForMessageId: 'm-1', now: T0 });

describe('MongooseTicketRepository', () => {
  it('round-trips a ticket and scopes reads by company', async () => {
    const ticket = openTicket('+5511999990001');
    ticket.recordInbound({ messageId: 'm-1', preview: 'Olá', at: T0, waId: '5511999990001' });
    await tickets.save(ticket);
    expect((await tickets.findById('acme', ticket.id))?.toSnapshot()).toEqual(ticket.toSnapshot());
    expect((await tickets.findById('acme', ticket.id))?.wasOpenedFor('m-1')).toBe(true);
    expect(await tickets.findById('globex', ticket.id)).toBeNull();
    expect((await tickets.findOpenByContact('acme', 'i-1', '+5511999990001'))?.id).toBe(ticket.id);
  });

  it('refuses a second non-closed ticket for one contact, even concurrently, and allows a new one after closing', async () => {
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => tickets.save(openTicket('+5511999990002'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(OpenTicketExistsError);
    const open = (await tickets.findOpenByContact('acme', 'i-1', '+5511999990002'))!;
    open.changeStatus('closed', T0);
    await tickets.save(open);
    await expect(tickets.save(openTicket('+5511999990002'))).resolves.toBeUndefined();
  });

  it('rejects a stale write', async () => {
    const ticket = openTicket('+5511999990003');
    await tickets.save(ticket);
    const a = (await tickets.findById('acme', ticket.id))!;
    const b = (await tickets.findById('acme', ticket.id))!;
    a.changeStatus('pending', T0);
    await tickets.save(a);
    b.markRead(T0);
    b.changeStatus('closed', T0);
    await expect(tickets.save(b)).rejects.toBeInstanceOf(ConcurrencyError);
  });
});

describe('MongooseMessageRepository', () => {
  const inbound = (sid: string) =>
    Message.receive({
      id: `m-${++seq}`,
      companyId: 'acme',
      ticketId: 't-x',
      integrationId: 'i-1',
      twilioSid: sid,
      body: 'hi',
      media: [{ url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', contentType: 'image/jpeg' }],
      extras: { latitude: '-23.5', longitude: '-46.6', label: 'Office' },
      now: T0,
    });

  it('round-trips messages, templates with dotted variable keys included', async () => {
    const message = inbound('SM00000000000000000000000000000001');
    await messages.save(message);
    expect((await messages.findById('acme', message.id))?.toSnapshot()).toEqual(message.toSnapshot());
    const outbound = Message.queueOutbound({
      id: `m-${++seq}`,
      companyId: 'acme',
      ticketId: 't-x',
      integrationId: 'i-1',
      senderUserId: 'agent-1',
      template: { contentSid: 'HX123', contentVariables: { '1': 'Ana', 'a.b': 'x', $c: 'y' } },
      now: T0,
    });
    await messages.save(outbound);
    expect((await messages.findById('acme', outbound.id))?.toSnapshot()).toEqual(outbound.toSnapshot());
  });

  it('stores one message per (integration, Twilio SID) under concurrent replays', async () => {
    const sid = 'SM00000000000000000000000000000002';
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => messages.save(inbound(sid))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DuplicateMessageError);
    expect((await messages.findByTwilioSid('i-1', sid))?.twilioSid).toBe(sid);
  });
});
