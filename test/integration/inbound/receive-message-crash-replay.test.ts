import { parseInboundWhatsAppMessage } from '../../../src/application/message/receive-message/inbound-whatsapp-message';
import { ReceiveMessageCommand } from '../../../src/application/message/receive-message/receive-message.command';
import { ReceiveMessageHandler } from '../../../src/application/message/receive-message/receive-message.handler';
import { Clock, IdGenerator } from '../../../src/application/ports/clock.port';
import { DomainEventPublisher } from '../../../src/application/ports/domain-event-publisher.port';
import { TOKENS } from '../../../src/application/ports/tokens';
import { MessageRepository } from '../../../src/domain/message/message.repository';
import { DomainEvent } from '../../../src/domain/shared/domain-event';
import { TicketRepository } from '../../../src/domain/ticket/ticket.repository';
import { startTestService, TestService } from '../../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber } from '../../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

/** Thrown right after a write landed: the process "died" between two writes. */
class SimulatedCrash extends Error {}

/** Counts the writes of both repositories and crashes right after the n-th one. */
class CrashAfterWrite {
  private writes = 0;
  constructor(private readonly crashAt: number) {}

  get count(): number {
    return this.writes;
  }

  wrap<R extends { save(aggregate: never): Promise<void> }>(repository: R): R {
    return new Proxy(repository, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target) as unknown;
        if (property !== 'save') return typeof value === 'function' ? value.bind(target) : value;
        return async (aggregate: never) => {
          await target.save(aggregate);
          this.writes += 1;
          if (this.writes === this.crashAt) throw new SimulatedCrash(`crashed after write ${this.writes}`);
        };
      },
    });
  }
}

let t: TestService;
let acme: ConnectedNumber;
beforeAll(async () => {
  t = await startTestService();
  acme = await connectExistingNumber(t, 'acme', '+14155553001');
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

function handlerWith(crash: CrashAfterWrite | null, published: DomainEvent[]): ReceiveMessageHandler {
  const c = t.service.container;
  const tickets = c.get<TicketRepository>(TOKENS.TicketRepository);
  const messages = c.get<MessageRepository>(TOKENS.MessageRepository);
  const recorder: DomainEventPublisher = { publishAll: async (events) => void published.push(...events) };
  return new ReceiveMessageHandler(
    crash ? crash.wrap(tickets) : tickets,
    crash ? crash.wrap(messages) : messages,
    c.get<IdGenerator>(TOKENS.IdGenerator),
    c.get<Clock>(TOKENS.Clock),
    recorder,
  );
}

/** The inbox entry the webhook stored for these params (what a sweep or replay files again). */
function signedCommand(params: Record<string, string>, { recovering = false } = {}): ReceiveMessageCommand {
  const message = parseInboundWhatsAppMessage(params);
  const ids = t.service.container.get<IdGenerator>(TOKENS.IdGenerator);
  return new ReceiveMessageCommand(
    {
      messageId: ids.derive(`inbound:${acme.integrationId}:${message.messageSid}`),
      companyId: 'acme',
      integrationId: acme.integrationId,
      message,
      acceptedAt: new Date(),
    },
    recovering,
  );
}

async function stateOf(contact: string, sid: string) {
  const db = t.service.connection.db!;
  const tickets = await db.collection('tickets').find({ companyId: 'acme', 'contact.whatsappNumber': contact }).toArray();
  return {
    messages: await db.collection('messages').countDocuments({ twilioSid: sid }),
    tickets: tickets.length,
    unread: tickets.reduce((sum, ticket) => sum + (ticket.unreadCount as number), 0),
  };
}

/** Writes of a clean receive: a first message opens the ticket, a later one only appends. */
const FIRST_MESSAGE_WRITES = 3; // ticket opened, message stored, ticket counted
const NEXT_MESSAGE_WRITES = 2; // message stored, ticket counted

describe('a receive interrupted after any write completes exactly once on replay', () => {
  it('counts the writes of a clean receive', async () => {
    const counter = new CrashAfterWrite(Number.POSITIVE_INFINITY);
    await handlerWith(counter, []).execute(signedCommand(t.emulator.buildInboundParams({ to: acme.number, from: '+5511970000000' })));
    expect(counter.count).toBe(FIRST_MESSAGE_WRITES);
    const next = new CrashAfterWrite(Number.POSITIVE_INFINITY);
    await handlerWith(next, []).execute(signedCommand(t.emulator.buildInboundParams({ to: acme.number, from: '+5511970000000' })));
    expect(next.count).toBe(NEXT_MESSAGE_WRITES);
  });

  it.each(Array.from({ length: FIRST_MESSAGE_WRITES }, (_, i) => i + 1))('first message of a contact, crash after write %i, then replays', async (crashAt) => {
    const contact = `+55119700000${10 + crashAt}`;
    const params = t.emulator.buildInboundParams({ to: acme.number, from: contact, body: `crash ${crashAt}` });
    const published: DomainEvent[] = [];
    await expect(handlerWith(new CrashAfterWrite(crashAt), published).execute(signedCommand(params))).rejects.toThrow(SimulatedCrash);
    expect(published).toEqual([]);

    // The inbox sweep files the entry the crash left (recovering); then Twilio retries come,
    // sequentially and as a burst of concurrent duplicates.
    const first = await handlerWith(null, published).execute(signedCommand(params, { recovering: true }));
    await Promise.all(Array.from({ length: 5 }, () => handlerWith(null, published).execute(signedCommand(params))));
    expect(await stateOf(contact, params['MessageSid']!)).toEqual({ messages: 1, tickets: 1, unread: 1 });
    expect(first.replay).toBe(crashAt === FIRST_MESSAGE_WRITES);
    // Whichever write the crash followed, the message and its new ticket are announced once:
    // after the last write the crashed attempt counted it but never published, so the sweep
    // announces both again; the retries announce nothing.
    const announced = published.filter((e) => e.name === 'message.received' && e.aggregateId === first.messageId);
    expect(announced).toHaveLength(1);
    // Published together, a ticket's events become one `ticket.created` with its latest state.
    const ticketEvents = published.filter((e) => e.aggregateId === first.ticketId).map((e) => e.name);
    expect(ticketEvents.filter((name) => name === 'ticket.opened')).toHaveLength(1);
    const lastTicket = published.filter((e) => e.aggregateId === first.ticketId).at(-1) as unknown as { snapshot: { unreadCount: number } };
    expect(lastTicket.snapshot.unreadCount).toBe(1);
  });

  it('a message counted on an open ticket by an attempt that died before publishing is announced by the sweep, with the ticket as changed', async () => {
    const contact = '+5511970000030';
    await handlerWith(null, []).execute(signedCommand(t.emulator.buildInboundParams({ to: acme.number, from: contact, body: 'opening' })));
    const params = t.emulator.buildInboundParams({ to: acme.number, from: contact, body: 'lost announcement' });
    await expect(handlerWith(new CrashAfterWrite(NEXT_MESSAGE_WRITES), []).execute(signedCommand(params))).rejects.toThrow(SimulatedCrash);
    const published: DomainEvent[] = [];
    const retried = await handlerWith(null, published).execute(signedCommand(params));
    expect(published).toEqual([]); // a plain retry cannot tell a lost announcement from a finished receive
    await handlerWith(null, published).execute(signedCommand(params, { recovering: true }));
    expect(published.map((e) => [e.name, e.aggregateId])).toEqual([
      ['message.received', retried.messageId],
      ['ticket.changed', retried.ticketId],
    ]);
    expect(await stateOf(contact, params['MessageSid']!)).toEqual({ messages: 1, tickets: 1, unread: 2 });
  });

  it.each(Array.from({ length: NEXT_MESSAGE_WRITES }, (_, i) => i + 1))('message on an open ticket, crash after write %i, then concurrent replays', async (crashAt) => {
    const contact = `+55119700000${20 + crashAt}`;
    await handlerWith(null, []).execute(signedCommand(t.emulator.buildInboundParams({ to: acme.number, from: contact, body: 'opening' })));
    const params = t.emulator.buildInboundParams({ to: acme.number, from: contact, body: `crash ${crashAt}` });
    await expect(handlerWith(new CrashAfterWrite(crashAt), []).execute(signedCommand(params))).rejects.toThrow(SimulatedCrash);
    await Promise.all(Array.from({ length: 6 }, () => handlerWith(null, []).execute(signedCommand(params))));
    expect(await stateOf(contact, params['MessageSid']!)).toEqual({ messages: 1, tickets: 1, unread: 2 });
  });

  it('a message stored for a ticket that was closed before it was counted moves to a new ticket', async () => {
    const contact = '+5511970000031';
    const params = t.emulator.buildInboundParams({ to: acme.number, from: contact, body: 'late' });
    // Crash after "message stored" (write 2 of a first message), then an agent closes the ticket.
    await expect(handlerWith(new CrashAfterWrite(2), []).execute(signedCommand(params))).rejects.toThrow(SimulatedCrash);
    const repo = t.service.container.get<TicketRepository>(TOKENS.TicketRepository);
    const db = t.service.connection.db!;
    const stranded = await db.collection('tickets').findOne({ 'contact.whatsappNumber': contact });
    const ticket = (await repo.findById('acme', String(stranded!._id)))!;
    ticket.changeStatus('closed', new Date());
    await repo.save(ticket);

    const replay = await handlerWith(null, []).execute(signedCommand(params));
    expect(replay.ticketId).not.toBe(String(stranded!._id));
    const message = await db.collection('messages').findOne({ twilioSid: params['MessageSid'] });
    expect(message!.ticketId).toBe(replay.ticketId);
    expect(await db.collection('tickets').findOne({ _id: replay.ticketId as never })).toMatchObject({ status: 'open', unreadCount: 1 });
  });
});
