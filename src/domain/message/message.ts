import { AggregateRoot } from '../shared/aggregate-root';
import { assertCompanyId } from '../shared/company-id';
import { DomainError, InvalidTransitionError, InvalidValueError } from '../shared/domain-error';
import { MessageStatus, OutboundStatus, isFailure, isForwardMove } from './delivery-status';
import { MessageEvent } from './message-events';
import { InboundExtras, MediaItem, MessageError, MessageSnapshot, ReplyPart, TemplateContent } from './message-snapshot';

export type { InboundExtras, MediaItem, MessageError, MessageSnapshot, ReplyPart, TemplateContent } from './message-snapshot';

/**
 * The longest reply body Zapdesk accepts: Twilio's limit for the `Body` of one outgoing
 * message (errors 21617/21658: "up to 1,600 characters"), which is below WhatsApp's own 4,096.
 * A longer body would be accepted here only to fail at Twilio after the agent moved on.
 */
export const MAX_BODY_LENGTH = 1600;

export const BODY_TOO_LONG = `must be at most ${MAX_BODY_LENGTH} characters (Twilio's limit for one message): split a longer reply`;

export class Message extends AggregateRoot<MessageEvent> {
  private constructor(private state: MessageSnapshot) {
    super();
  }

  static receive(input: {
    id: string;
    companyId: string;
    ticketId: string;
    integrationId: string;
    twilioSid: string;
    body: string;
    media: readonly MediaItem[];
    extras?: InboundExtras | null;
    now: Date;
  }): Message {
    const message = new Message({
      id: input.id,
      companyId: assertCompanyId(input.companyId),
      ticketId: input.ticketId,
      integrationId: input.integrationId,
      direction: 'inbound',
      body: input.body,
      media: input.media,
      template: null,
      extras: input.extras ?? null,
      twilioSid: input.twilioSid,
      status: 'received',
      error: null,
      attempts: 0,
      senderUserId: null,
      nextAttemptAt: null,
      lastAttemptAt: null,
      reply: null,
      createdAt: input.now,
      updatedAt: input.now,
      version: 0,
    });
    message.record({ name: 'message.received', companyId: message.companyId, aggregateId: message.id, occurredAt: input.now, ticketId: input.ticketId, snapshot: message.state });
    return message;
  }

  /** An agent's reply, accepted for delivery (`queued`): either free-form text or a template. */
  static queueOutbound(input: {
    id: string;
    companyId: string;
    ticketId: string;
    integrationId: string;
    senderUserId: string;
    body?: string | null;
    template?: TemplateContent | null;
    /** Outbound attachments (one per WhatsApp message: Twilio sends several as several messages). */
    media?: readonly MediaItem[];
    reply?: ReplyPart | null;
    now: Date;
  }): Message {
    const body = input.body ?? '';
    const template = input.template ?? null;
    const media = input.media ?? [];
    if (media.length > 1) throw new InvalidValueError('media', 'one attachment per WhatsApp message');
    if (template === null) {
      if (body.trim().length === 0 && media.length === 0) throw new InvalidValueError('body', 'must not be empty');
      if (body.length > MAX_BODY_LENGTH) throw new InvalidValueError('body', BODY_TOO_LONG);
    }
    const reply = input.reply ?? null;
    if (reply && (!Number.isInteger(reply.part) || reply.part < 1 || reply.part > reply.parts)) throw new InvalidValueError('reply', 'part out of range');
    const message = new Message({
      id: input.id,
      companyId: assertCompanyId(input.companyId),
      ticketId: input.ticketId,
      integrationId: input.integrationId,
      direction: 'outbound',
      body,
      media,
      template,
      extras: null,
      twilioSid: null,
      status: 'queued',
      error: null,
      attempts: 0,
      senderUserId: input.senderUserId,
      nextAttemptAt: input.now,
      lastAttemptAt: null,
      reply,
      createdAt: input.now,
      updatedAt: input.now,
      version: 0,
    });
    message.record({ name: 'message.queued', companyId: message.companyId, aggregateId: message.id, occurredAt: input.now, ticketId: input.ticketId, snapshot: message.state });
    return message;
  }

  static restore(snapshot: MessageSnapshot): Message {
    return new Message(snapshot);
  }

  get id(): string {
    return this.state.id;
  }
  get companyId(): string {
    return this.state.companyId;
  }
  get ticketId(): string {
    return this.state.ticketId;
  }
  get integrationId(): string {
    return this.state.integrationId;
  }
  get direction(): 'inbound' | 'outbound' {
    return this.state.direction;
  }
  get status(): MessageStatus {
    return this.state.status;
  }
  get twilioSid(): string | null {
    return this.state.twilioSid;
  }
  get attempts(): number {
    return this.state.attempts;
  }
  get version(): number {
    return this.state.version;
  }
  get body(): string {
    return this.state.body;
  }
  get template(): TemplateContent | null {
    return this.state.template;
  }
  get createdAt(): Date {
    return this.state.createdAt;
  }
  get nextAttemptAt(): Date | null {
    return this.state.nextAttemptAt;
  }
  get lastAttemptAt(): Date | null {
    return this.state.lastAttemptAt;
  }
  get reply(): ReplyPart | null {
    return this.state.reply;
  }
  get media(): readonly MediaItem[] {
    return this.state.media;
  }

  /** A worker took the message and is about to call Twilio. */
  startSending(now: Date): void {
    this.requireOutbound();
    if (this.state.status !== 'queued') throw new InvalidTransitionError('message', this.state.status, 'sending');
    this.state = { ...this.state, status: 'sending', attempts: this.state.attempts + 1, lastAttemptAt: now, nextAttemptAt: null, updatedAt: now };
    this.statusChanged(now);
  }

  /** Twilio accepted the message and gave it a SID. */
  recordAccepted(twilioSid: string, now: Date): void {
    this.requireOutbound();
    // A status callback may have arrived before Twilio's REST answer was stored.
    const accepted = isForwardMove(this.state.status as OutboundStatus, 'sent');
    // An error left by an earlier transient attempt no longer describes an accepted message.
    this.state = { ...this.state, twilioSid, ...(accepted ? { error: null } : {}), updatedAt: now };
    if (accepted) this.applyDelivery('sent', now);
  }

  /** A transient failure: back to the queue for another attempt, not before `nextAttemptAt` (backoff). */
  requeueAfterTransientFailure(error: MessageError, now: Date, nextAttemptAt: Date = now): void {
    this.requireOutbound();
    if (this.state.status !== 'sending') throw new InvalidTransitionError('message', this.state.status, 'queued');
    this.state = { ...this.state, status: 'queued', error, nextAttemptAt, updatedAt: now };
    this.statusChanged(now);
  }

  /**
   * The worker of the latest attempt stopped before storing Twilio's answer, and Twilio has
   * no trace of the send: back to the queue at once. The lost attempt still counts.
   */
  releaseUnconfirmedAttempt(now: Date): void {
    this.requireOutbound();
    if (this.state.status !== 'sending') throw new InvalidTransitionError('message', this.state.status, 'queued');
    this.state = { ...this.state, status: 'queued', nextAttemptAt: now, updatedAt: now };
    this.statusChanged(now);
  }

  /**
   * A delivery report (REST answer or status callback). Returns whether it changed
   * anything: out-of-order or repeated reports are ignored, never moving status back.
   */
  recordDelivery(status: OutboundStatus, now: Date, error?: MessageError): boolean {
    this.requireOutbound();
    if (!isForwardMove(this.state.status as OutboundStatus, status)) return false;
    if (isFailure(status)) this.state = { ...this.state, error: error ?? { code: null, message: 'delivery failed' } };
    this.applyDelivery(status, now);
    return true;
  }

  /** An agent asks to try a failed message again: fresh attempt budget, back to the queue. */
  retry(now: Date): void {
    this.requireOutbound();
    if (!isFailure(this.state.status)) {
      throw new DomainError('MESSAGE.NOT_RETRYABLE', 'conflict', `only failed or undelivered messages can be retried, this one is ${this.state.status}`);
    }
    this.state = { ...this.state, status: 'queued', attempts: 0, error: null, twilioSid: null, nextAttemptAt: now, updatedAt: now };
    this.statusChanged(now);
  }

  /**
   * An inbound message stored for a ticket that was closed before the message was counted on
   * it: it moves to the contact's new open ticket (closed tickets stay history).
   */
  moveToTicket(ticketId: string, now: Date): void {
    if (this.state.direction !== 'inbound') throw new DomainError('MESSAGE.NOT_INBOUND', 'conflict', 'only inbound messages move between tickets');
    if (this.state.ticketId === ticketId) return;
    this.state = { ...this.state, ticketId, updatedAt: now };
  }

  toSnapshot(): MessageSnapshot {
    return this.state;
  }

  markSaved(): void {
    this.state = { ...this.state, version: this.state.version + 1 };
  }

  private applyDelivery(status: OutboundStatus, now: Date): void {
    if (this.state.status === status) return;
    this.state = { ...this.state, status, updatedAt: now };
    this.statusChanged(now);
  }

  private requireOutbound(): void {
    if (this.state.direction !== 'outbound') {
      throw new DomainError('MESSAGE.NOT_OUTBOUND', 'conflict', 'inbound messages have no delivery status');
    }
  }

  private statusChanged(now: Date): void {
    this.record({
      name: 'message.status_changed',
      companyId: this.companyId,
      aggregateId: this.id,
      occurredAt: now,
      ticketId: this.ticketId,
      status: this.state.status,
      snapshot: this.state,
      ...(this.state.error?.code != null && isFailure(this.state.status) ? { errorCode: this.state.error.code } : {}),
    });
  }
}
