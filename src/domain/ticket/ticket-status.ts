import { InvalidTransitionError } from '../shared/domain-error';

export const TICKET_STATUSES = ['open', 'pending', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * Closed is final: a customer writing again opens a new ticket and the closed one stays
 * as history, which keeps "one non-closed ticket per contact" a single-document rule.
 */
const ALLOWED: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['pending', 'closed'],
  pending: ['open', 'closed'],
  closed: [],
};

export function canTransitionTicket(from: TicketStatus, to: TicketStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTicketTransition(from: TicketStatus, to: TicketStatus): void {
  if (!canTransitionTicket(from, to)) throw new InvalidTransitionError('ticket', from, to);
}
