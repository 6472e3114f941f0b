import { DomainEvent } from '../shared/domain-event';
import { TicketStatus } from './ticket-status';

export interface TicketOpened extends DomainEvent {
  readonly name: 'ticket.opened';
  readonly integrationId: string;
}

export interface TicketChanged extends DomainEvent {
  readonly name: 'ticket.changed';
  readonly status: TicketStatus;
}

export type TicketEvent = TicketOpened | TicketChanged;
