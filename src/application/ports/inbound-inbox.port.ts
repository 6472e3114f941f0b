import { InboundWhatsAppMessage } from '../message/receive-message/inbound-whatsapp-message';

/** A customer's message Twilio delivered and Zapdesk acknowledged, not yet filed on a ticket. */
export interface AcceptedInboundMessage {
  /** The message's id, derived from (integration, MessageSid). */
  readonly messageId: string;
  readonly companyId: string;
  readonly integrationId: string;
  readonly message: InboundWhatsAppMessage;
  readonly acceptedAt: Date;
}

/**
 * One conversation's line of arrival: the messages of one contact on one integration. They are
 * filed one at a time, in the order they were accepted, by whichever instance holds the lane.
 */
export function laneOf(entry: Pick<AcceptedInboundMessage, 'integrationId' | 'message'>): string {
  return `${entry.integrationId}:${entry.message.from}`;
}

/**
 * The durable inbox of inbound messages: what the webhook stores before it answers. Filing a
 * message on its ticket happens right after, from the inbox, lane by lane, and is idempotent.
 */
export interface InboundInbox {
  /**
   * Stores it durably with its place in its lane (after every message of the lane accepted
   * before this call began); false when it is already waiting there (a replay).
   */
  accept(entry: AcceptedInboundMessage): Promise<boolean>;
  /** Entries accepted before `acceptedBefore`, oldest first: work nobody finished (a crash). */
  listUnfiled(acceptedBefore: Date, limit: number): Promise<AcceptedInboundMessage[]>;
  /** The lane's waiting entries in the order they were accepted. */
  listLane(lane: string, limit: number): Promise<AcceptedInboundMessage[]>;
  /** Whether anything waits in the lane. */
  hasWaiting(lane: string): Promise<boolean>;
  /**
   * Takes the lane for `holder` until `until`, unless another holder's lease runs past `now`.
   * Of concurrent callers, at most one gets it.
   */
  claimLane(lane: string, holder: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lane up (only if `holder` still holds it). */
  releaseLane(lane: string, holder: string): Promise<void>;
  /** The message is filed on its ticket: the entry is done. */
  remove(messageId: string): Promise<void>;
}

/** Files an accepted message now, in the background of the instance that accepted it. */
export interface InboundFilingTrigger {
  file(entry: AcceptedInboundMessage): void;
}
