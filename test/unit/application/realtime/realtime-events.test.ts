import { IntegrationView } from '../../../../src/application/integration/integration.view';
import { DomainEventPublisher } from '../../../../src/application/ports/domain-event-publisher.port';
import { EventLog } from '../../../../src/application/ports/event-log.port';
import { RealtimeDomainEventPublisher } from '../../../../src/application/realtime/realtime-domain-event-publisher';
import { RealtimeEvent } from '../../../../src/application/realtime/realtime-event';
import { notificationCreated, planRealtimeEvents, toRealtimeEvents } from '../../../../src/application/realtime/realtime-events';
import { IntegrationRepository } from '../../../../src/domain/integration/integration.repository';
import { Message } from '../../../../src/domain/message/message';
import { DomainEvent } from '../../../../src/domain/shared/domain-event';
import { Ticket } from '../../../../src/domain/ticket/ticket';

const t0 = new Date('2026-01-01T10:00:00.000Z');
const t1 = new Date('2026-01-01T10:00:05.000Z');

function openTicket(id = 'tk-1', companyId = 'acme'): Ticket {
  return Ticket.open({ id, companyId, integrationId: 'int-1', contactNumber: '+5511999990000', now: t0 });
}

function inbound(id = 'msg-1', ticketId = 'tk-1'): Message {
  return Message.receive({ id, companyId: 'acme', ticketId, integrationId: 'int-1', twilioSid: `SM${id}`, body: 'hi', media: [], now: t0 });
}

const noIntegrations = async () => null;

describe('domain events → real-time events', () => {
  it('maps each fact to its SSE name with the read-model payload', async () => {
    const ticket = openTicket();
    const message = inbound();
    const events = await toRealtimeEvents(planRealtimeEvents([...ticket.pullDomainEvents(), ...message.pullDomainEvents()]), noIntegrations);
    expect(events.map((e) => [e.name, e.companyId, e.audience])).toEqual([
      ['ticket.created', 'acme', null],
      ['message.created', 'acme', null],
    ]);
    expect(events[0]!.payload).toMatchObject({ id: 'tk-1', status: 'open', unreadCount: 0, contact: { whatsappNumber: '+5511999990000' } });
    expect(events[0]!.payload).not.toHaveProperty('appliedInboundIds'); // the view, not the storage snapshot
    expect(events[1]!.payload).toMatchObject({ id: 'msg-1', ticketId: 'tk-1', direction: 'inbound', status: 'received' });
  });

  it('a later change alone is an update', async () => {
    const ticket = openTicket();
    ticket.pullDomainEvents();
    ticket.changeStatus('pending', t1);
    const [event] = await toRealtimeEvents(planRealtimeEvents(ticket.pullDomainEvents()), noIntegrations);
    expect(event).toMatchObject({ name: 'ticket.updated', payload: { status: 'pending', updatedAt: t1 } });
  });

  it('coalesces one aggregate per publish: created + changed is one created with the latest state', async () => {
    const ticket = openTicket();
    const message = inbound();
    ticket.recordInbound({ messageId: 'msg-1', preview: 'hi', at: t1 });
    const batch = [...ticket.pullDomainEvents(), ...message.pullDomainEvents()];
    const events = await toRealtimeEvents(planRealtimeEvents(batch), noIntegrations);
    expect(events.map((e) => e.name)).toEqual(['ticket.created', 'message.created']);
    expect(events[0]!.payload).toMatchObject({ unreadCount: 1, lastMessage: { preview: 'hi' } });
  });

  it('keeps aggregates apart and in the order each first appears', async () => {
    const a = openTicket('tk-a');
    const b = openTicket('tk-b');
    const mixed: DomainEvent[] = [...b.pullDomainEvents(), ...inbound('m-1', 'tk-a').pullDomainEvents(), ...a.pullDomainEvents()];
    const events = await toRealtimeEvents(planRealtimeEvents(mixed), noIntegrations);
    expect(events.map((e) => (e.payload as { id: string }).id)).toEqual(['tk-b', 'm-1', 'tk-a']);
  });

  it('a message status change is message.updated; queued then changed in one batch stays created', async () => {
    const queued = Message.queueOutbound({ id: 'out-1', companyId: 'acme', ticketId: 'tk-1', integrationId: 'int-1', senderUserId: 'u1', body: 'reply', now: t0 });
    queued.startSending(t1);
    const batch = queued.pullDomainEvents();
    const created = await toRealtimeEvents(planRealtimeEvents(batch), noIntegrations);
    expect(created).toHaveLength(1);
    expect(created[0]!.name).toBe('message.created');
    expect(created[0]!.payload).toMatchObject({ status: 'sending' });

    queued.recordAccepted('SM123', t1);
    const later = planRealtimeEvents(queued.pullDomainEvents());
    expect(later).toEqual([expect.objectContaining({ kind: 'message', created: false })]);
  });

  it('integration events are reloaded once per integration; a removal (or a vanished one) is a small removed payload', async () => {
    const loads: string[] = [];
    const view = { id: 'int-1', companyId: 'acme', status: 'active' } as unknown as IntegrationView;
    const load = async (_companyId: string, id: string) => {
      loads.push(id);
      return id === 'int-1' ? view : null;
    };
    const base = { companyId: 'acme', occurredAt: t0 };
    const events = await toRealtimeEvents(
      planRealtimeEvents([
        { ...base, name: 'integration.created', aggregateId: 'int-1', mode: 'existing' },
        { ...base, name: 'integration.status_changed', aggregateId: 'int-1', from: 'pending', to: 'active' },
        { ...base, name: 'integration.settings_changed', aggregateId: 'int-2' },
        { ...base, name: 'integration.settings_changed', aggregateId: 'int-3' },
        { ...base, name: 'integration.removed', aggregateId: 'int-3' },
      ] as DomainEvent[]),
      load,
    );
    expect(loads).toEqual(['int-1', 'int-2']);
    expect(events.map((e) => [e.name, e.payload])).toEqual([
      ['integration.updated', view],
      ['integration.updated', { id: 'int-2', companyId: 'acme', removed: true }],
      ['integration.updated', { id: 'int-3', companyId: 'acme', removed: true }],
    ]);
  });

  it('ignores events that are not real-time', () => {
    expect(planRealtimeEvents([{ name: 'something.else', companyId: 'acme', aggregateId: 'x', occurredAt: t0 }])).toEqual([]);
  });

  it('a notification is addressed to its recipient only', () => {
    const view = { id: 'n1', companyId: 'acme', recipient: { userId: 'u7' }, kind: 'message_failed' as const, subjectId: 'm1', message: 'failed', read: false, createdAt: t0 };
    expect(notificationCreated(view)).toEqual({ companyId: 'acme', name: 'notification.created', payload: view, audience: { userId: 'u7' } });
  });
});

describe('RealtimeDomainEventPublisher', () => {
  const integrations = { findById: async () => null } as unknown as IntegrationRepository;

  function publisherWith(log: EventLog) {
    const forwarded: DomainEvent[][] = [];
    const forward: DomainEventPublisher = { publishAll: async (events) => void forwarded.push([...events]) };
    return { publisher: new RealtimeDomainEventPublisher(log, integrations, forward), forwarded };
  }

  it('appends the coalesced entries, then forwards the domain events', async () => {
    const appended: RealtimeEvent[][] = [];
    const { publisher, forwarded } = publisherWith({ append: async (events) => void appended.push([...events]) });
    const ticket = openTicket();
    const events = ticket.pullDomainEvents();
    await publisher.publishAll(events);
    expect(appended).toHaveLength(1);
    expect(appended[0]!.map((e) => e.name)).toEqual(['ticket.created']);
    expect(forwarded).toEqual([events]);
  });

  it('a failed append fails the publish and forwards nothing', async () => {
    const { publisher, forwarded } = publisherWith({ append: async () => Promise.reject(new Error('database down')) });
    await expect(publisher.publishAll(openTicket().pullDomainEvents())).rejects.toThrow('database down');
    expect(forwarded).toEqual([]);
  });

  it('nothing to publish: no append', async () => {
    const append = jest.fn();
    const { publisher } = publisherWith({ append });
    await publisher.publishAll([]);
    expect(append).not.toHaveBeenCalled();
  });
});
