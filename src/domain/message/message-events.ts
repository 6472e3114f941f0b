import { DomainEvent } from '../shared/domain-event';
import { MessageStatus } from './delivery-status';

export interface MessageReceived extends DomainEvent {
  readonly name: 'message.received';
  readonly ticketId: string;
}

export interface MessageQueued extends DomainEvent {
  readonly name: 'message.queued';
  readonly ticketId: string;
}

export interface MessageStatusChanged extends DomainEvent {
  readonly name: 'message.status_changed';
  readonly ticketId: string;
  readonly status: MessageStatus;
  readonly errorCode?: number;
}

export type MessageEvent = MessageReceived | MessageQueued | MessageStatusChanged;
