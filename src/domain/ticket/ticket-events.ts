import { DomainEvent } from '../shared/domain-event';
import { TicketSnapshot } from './ticket-snapshot';
import { TicketStatus } from './ticket-status';

export interface TicketOpened extends DomainEvent {
  readonly name: 'ticket.opened';
  readonly integrationId: string;
  /** The ticket as it stood right after the change: real-time payloads need no reload. */
  readonly snapshot: TicketSnapshot;
}

export interface TicketChanged extends DomainEvent {
  readonly name: 'ticket.changed';
  readonly status: TicketStatus;
  readonly snapshot: TicketSnapshot;
}

export type TicketEvent = TicketOpened | TicketChanged;
