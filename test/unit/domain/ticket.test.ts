import fc from 'fast-check';
import { APPLIED_INBOUND_MEMORY, CUSTOMER_SERVICE_WINDOW_MS, Ticket } from '../../../src/domain/ticket/ticket';
import { TICKET_STATUSES, TicketStatus, canTransitionTicket } from '../../../src/domain/ticket/ticket-status';
import { DomainError } from '../../../src/domain/shared/domain-error';

const T0 = new Date('2026-03-01T12:00:00Z');

function openTicket(): Ticket {
  return Ticket.open({ id: 't-1', companyId: 'acme', integrationId: 'i-1', contactNumber: 'whatsapp:+5511999990000', now: T0 });
}

describe('ticket', () => {
  it('normalises the contact and opens with no unread messages', () => {
    const ticket = openTicket();
    expect(ticket.contact.whatsappNumber).toBe('+5511999990000');
    expect(ticket.toSnapshot()).toMatchObject({ status: 'open', unreadCount: 0, lastInboundAt: null });
    expect(ticket.pullDomainEvents().map((e) => e.name)).toEqual(['ticket.opened']);
  });

  it('knows the message it was opened for, even when another was counted first (two first messages at once)', () => {
    const ticket = Ticket.open({ id: 't-2', companyId: 'acme', integrationId: 'i-1', contactNumber: '+5511999990000', openedForMessageId: 'm-a', now: T0 });
    ticket.recordInbound({ messageId: 'm-b', preview: 'b', at: T0 });
    ticket.recordInbound({ messageId: 'm-a', preview: 'a', at: T0 });
    expect(ticket.wasOpenedFor('m-a')).toBe(true);
    expect(ticket.wasOpenedFor('m-b')).toBe(false);
    ticket.pullDomainEvents();
    ticket.announceAgain('m-b', T0);
    ticket.announceAgain('m-a', T0);
    expect(ticket.pullDomainEvents().map((e) => e.name)).toEqual(['ticket.changed', 'ticket.opened']);
    expect(openTicket().wasOpenedFor('m-a')).toBe(false); // not recorded: never announced as opened again
  });

  it('follows only the documented status transitions; closed is final', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<TicketStatus>(...TICKET_STATUSES), { maxLength: 20 }), (targets) => {
        const ticket = openTicket();
        for (const to of targets) {
          const from = ticket.status;
          const legal = from === to || canTransitionTicket(from, to);
          let accepted = true;
          try {
            ticket.changeStatus(to, T0);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            accepted = false;
          }
          expect(accepted).toBe(legal);
          expect(ticket.status).toBe(accepted ? to : from);
        }
      }),
    );
    const closed = openTicket();
    closed.changeStatus('closed', T0);
    expect(() => closed.recordInbound({ messageId: 'm-1', preview: 'hi', at: T0 })).toThrow(DomainError);
  });

  it('counts unread inbound messages and refreshes the 24-hour window; our replies do not', () => {
    const ticket = openTicket();
    expect(ticket.isWithinCustomerServiceWindow(T0)).toBe(false);
    ticket.recordInbound({ messageId: 'm-1', preview: 'Hello\nthere', at: T0, profileName: 'Ana' });
    ticket.recordInbound({ messageId: 'm-2', preview: 'Anyone?', at: new Date(T0.getTime() + 1000) });
    expect(ticket.unreadCount).toBe(2);
    expect(ticket.contact.profileName).toBe('Ana');
    const later = new Date(T0.getTime() + CUSTOMER_SERVICE_WINDOW_MS);
    ticket.recordOutbound('Sure', later);
    expect(ticket.isWithinCustomerServiceWindow(new Date(later.getTime() - 1))).toBe(true);
    expect(ticket.isWithinCustomerServiceWindow(new Date(later.getTime() + 1000))).toBe(false);
    ticket.markRead(later);
    expect(ticket.unreadCount).toBe(0);
  });

  it('keeps the newest message as the summary whatever order they are recorded in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 15 }), (offsets) => {
        const ticket = openTicket();
        offsets.forEach((offset, i) => ticket.recordInbound({ messageId: `m${i}`, preview: `m${i}`, at: new Date(T0.getTime() + offset) }));
        const newest = Math.max(...offsets);
        expect(ticket.toSnapshot().lastMessage?.at.getTime()).toBe(T0.getTime() + newest);
        expect(ticket.lastInboundAt?.getTime()).toBe(T0.getTime() + newest);
      }),
    );
  });

  it('an opted-out contact is cleared when the customer writes again', () => {
    const ticket = openTicket();
    ticket.markOptedOut(T0);
    expect(ticket.contact.optedOut).toBe(true);
    ticket.recordInbound({ messageId: 'm-back', preview: 'back', at: T0 });
    expect(ticket.contact.optedOut).toBe(false);
  });
});

describe('inbound counting is idempotent per message', () => {
  it('counts each message id once, whatever the repetitions and order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 40 }), (ids) => {
        const ticket = Ticket.open({ id: 't1', companyId: 'acme', integrationId: 'i1', contactNumber: '+5511999990001', now: T0 });
        ids.forEach((n, i) => ticket.recordInbound({ messageId: `m${n}`, preview: 'x', at: new Date(T0.getTime() + i) }));
        expect(ticket.unreadCount).toBe(new Set(ids).size);
        expect(ids.every((n) => ticket.hasCounted(`m${n}`))).toBe(true);
      }),
    );
  });

  it('remembers a bounded number of counted ids', () => {
    const ticket = Ticket.open({ id: 't1', companyId: 'acme', integrationId: 'i1', contactNumber: '+5511999990001', now: T0 });
    for (let i = 0; i < APPLIED_INBOUND_MEMORY + 5; i += 1) ticket.recordInbound({ messageId: `m${i}`, preview: 'x', at: T0 });
    expect(ticket.toSnapshot().appliedInboundIds).toHaveLength(APPLIED_INBOUND_MEMORY);
    expect(ticket.hasCounted(`m${APPLIED_INBOUND_MEMORY + 4}`)).toBe(true);
  });

  it("never dates updatedAt before createdAt, and never moves it back, whatever the changes' dates (a message accepted before its ticket was opened)", () => {
    const offset = fc.integer({ min: -3_600_000, max: 3_600_000 });
    const change = fc.oneof(
      offset.map((ms) => ({ kind: 'inbound' as const, ms })),
      offset.map((ms) => ({ kind: 'outbound' as const, ms })),
      offset.map((ms) => ({ kind: 'read' as const, ms })),
      offset.map((ms) => ({ kind: 'pending' as const, ms })),
      offset.map((ms) => ({ kind: 'optOut' as const, ms })),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), (changes) => {
        const ticket = openTicket();
        let previous = ticket.toSnapshot().updatedAt;
        changes.forEach((c, i) => {
          const at = new Date(T0.getTime() + c.ms);
          if (c.kind === 'inbound') ticket.recordInbound({ messageId: `m-${i}`, preview: 'hi', at });
          else if (c.kind === 'outbound') ticket.recordOutbound('reply', at);
          else if (c.kind === 'read') ticket.markRead(at);
          else if (c.kind === 'pending') ticket.changeStatus(ticket.status === 'open' ? 'pending' : 'open', at);
          else ticket.markOptedOut(at);
          const { createdAt, updatedAt } = ticket.toSnapshot();
          expect(updatedAt.getTime()).toBeGreaterThanOrEqual(createdAt.getTime());
          expect(updatedAt.getTime()).toBeGreaterThanOrEqual(previous.getTime());
          previous = updatedAt;
        });
      }),
    );
    // The case seen live: the first message, accepted a moment before its ticket was opened.
    const ticket = Ticket.open({ id: 't-3', companyId: 'acme', integrationId: 'i-1', contactNumber: '+5511999990000', now: T0 });
    ticket.recordInbound({ messageId: 'm-1', preview: 'hi', at: new Date(T0.getTime() - 40) });
    expect(ticket.toSnapshot().updatedAt).toEqual(T0);
    expect(ticket.toSnapshot().lastInboundAt).toEqual(new Date(T0.getTime() - 40));
  });
});
