import { DomainEvent } from '../shared/domain-event';
import { MessageStatus } from './delivery-status';
import { MessageSnapshot } from './message-snapshot';

export interface MessageReceived extends DomainEvent {
  readonly name: 'message.received';
  readonly ticketId: string;
  /** The message as it stood right after the change: real-time payloads need no reload. */
  readonly snapshot: MessageSnapshot;
}

export interface MessageQueued extends DomainEvent {
  readonly name: 'message.queued';
  readonly ticketId: string;
  /** The message as it stood right after the change: real-time payloads need no reload. */
  readonly snapshot: MessageSnapshot;
}

export interface MessageStatusChanged extends DomainEvent {
  readonly name: 'message.status_changed';
  readonly ticketId: string;
  readonly status: MessageStatus;
  readonly errorCode?: number;
  readonly snapshot: MessageSnapshot;
}

export type MessageEvent = MessageReceived | MessageQueued | MessageStatusChanged;
