import { DomainEventPublisher } from '../../../src/application/ports/domain-event-publisher.port';
import { UpdateTicketCommand } from '../../../src/application/ticket/update-ticket/update-ticket.command';
import { UpdateTicketHandler } from '../../../src/application/ticket/update-ticket/update-ticket.handler';
import { ConcurrencyError, DomainError } from '../../../src/domain/shared/domain-error';
import { DomainEvent } from '../../../src/domain/shared/domain-event';
import { Ticket, TicketSnapshot } from '../../../src/domain/ticket/ticket';
import { TicketRepository } from '../../../src/domain/ticket/ticket.repository';
import { FixedClock } from '../../support/fixed-clock';

const T0 = new Date('2026-03-01T12:00:00Z');

/** Stores snapshots; `interfere` runs before a save, like a webhook writing in between. */
class RacingTicketRepository implements TicketRepository {
  readonly stored = new Map<string, TicketSnapshot>();
  saves = 0;
  interfere: (() => void) | null = null;

  async save(ticket: Ticket): Promise<void> {
    this.interfere?.();
    const current = this.stored.get(ticket.id);
    if (current && current.version !== ticket.version) throw new ConcurrencyError('ticket', ticket.id);
    this.saves += 1;
    ticket.markSaved();
    this.stored.set(ticket.id, ticket.toSnapshot());
  }
  async findById(companyId: string, id: string): Promise<Ticket | null> {
    const snapshot = this.stored.get(id);
    return snapshot && snapshot.companyId === companyId ? Ticket.restore(snapshot) : null;
  }
  async findOpenByContact(): Promise<Ticket | null> {
    return null;
  }
}

class RecordingPublisher implements DomainEventPublisher {
  readonly published: DomainEvent[] = [];
  constructor(private readonly repository: RacingTicketRepository) {}
  readonly savesSeenAtPublish: number[] = [];
  async publishAll(events: readonly DomainEvent[]): Promise<void> {
    this.savesSeenAtPublish.push(this.repository.saves);
    this.published.push(...events);
  }
}

async function setup(unread = 2) {
  const repository = new RacingTicketRepository();
  const ticket = Ticket.open({ id: 't-1', companyId: 'acme', integrationId: 'i-1', contactNumber: '+5511999990000', now: T0 });
  for (let i = 0; i < unread; i += 1) ticket.recordInbound({ messageId: `in-${i}`, preview: 'hi', at: T0 });
  await repository.save(ticket);
  const events = new RecordingPublisher(repository);
  const handler = new UpdateTicketHandler(repository, new FixedClock(new Date('2026-03-01T13:00:00Z')), events);
  return { repository, events, handler };
}

/** Another writer counts one more inbound message on the stored ticket. */
function bumpStored(repository: RacingTicketRepository, messageId: string): void {
  const ticket = Ticket.restore(repository.stored.get('t-1')!);
  ticket.recordInbound({ messageId, preview: 'again', at: T0 });
  ticket.markSaved();
  repository.stored.set('t-1', ticket.toSnapshot());
}

describe('UpdateTicketHandler', () => {
  it('changes status and marks read in one save, then publishes the changes', async () => {
    const { repository, events, handler } = await setup();
    const savesBefore = repository.saves;

    const view = await handler.execute(new UpdateTicketCommand('acme', 't-1', 'pending', true));

    expect(view).toMatchObject({ status: 'pending', unreadCount: 0 });
    expect(repository.saves).toBe(savesBefore + 1);
    expect(repository.stored.get('t-1')).toMatchObject({ status: 'pending', unreadCount: 0 });
    expect(events.published.map((e) => e.name)).toEqual(['ticket.changed', 'ticket.changed']);
    expect(events.savesSeenAtPublish).toEqual([savesBefore + 1]);
  });

  it('reloads and re-applies the change when a concurrent write made its read stale', async () => {
    const { repository, events, handler } = await setup();
    let interferences = 0;
    repository.interfere = () => {
      if (interferences < 2) bumpStored(repository, `race-${interferences++}`);
    };

    const view = await handler.execute(new UpdateTicketCommand('acme', 't-1', null, true));

    expect(interferences).toBe(2);
    expect(view.unreadCount).toBe(0);
    expect(repository.stored.get('t-1')).toMatchObject({ unreadCount: 0, appliedInboundIds: ['in-0', 'in-1', 'race-0', 'race-1'] });
    expect(events.published).toHaveLength(1);
  });

  it('gives up with the ConcurrencyError after a few attempts and publishes nothing', async () => {
    const { repository, events, handler } = await setup();
    let n = 0;
    repository.interfere = () => bumpStored(repository, `storm-${n++}`);

    await expect(handler.execute(new UpdateTicketCommand('acme', 't-1', 'closed', false))).rejects.toBeInstanceOf(ConcurrencyError);

    expect(n).toBe(5);
    expect(events.published).toEqual([]);
  });

  it('writes and publishes nothing when nothing changes', async () => {
    const { repository, events, handler } = await setup(0);
    const savesBefore = repository.saves;

    const view = await handler.execute(new UpdateTicketCommand('acme', 't-1', 'open', true));

    expect(view.status).toBe('open');
    expect(repository.saves).toBe(savesBefore);
    expect(events.published).toEqual([]);
  });

  it('refuses leaving closed (409 conflict) and another company’s ticket (404)', async () => {
    const { handler } = await setup();
    await handler.execute(new UpdateTicketCommand('acme', 't-1', 'closed', false));

    await expect(handler.execute(new UpdateTicketCommand('acme', 't-1', 'open', false))).rejects.toMatchObject({ code: 'TICKET.INVALID_TRANSITION', kind: 'conflict' });
    const foreign = handler.execute(new UpdateTicketCommand('globex', 't-1', 'pending', false));
    await expect(foreign).rejects.toBeInstanceOf(DomainError);
    await expect(foreign).rejects.toMatchObject({ kind: 'not_found' });
  });
});
