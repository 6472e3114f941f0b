import { InvalidValueError } from '../shared/domain-error';
import { MessageStatus, OutboundStatus, isFailure } from './delivery-status';
import { MAX_BODY_LENGTH } from './message';
import { MediaItem } from './message-snapshot';
import { splitReplyBody } from './reply-split';

/**
 * A reply of several WhatsApp messages: a text longer than one message can hold, or
 * attachments (WhatsApp carries one media per message). Each part is a message of its own
 * (its own Twilio SID, status and attempts, delivered by the same outbox, in order); the
 * reply is shown as one entry whose id is its first part's.
 */

/** The most messages one reply may become (16,000 characters of text, or 10 attachments). */
export const MAX_REPLY_PARTS = 10;

/**
 * WhatsApp shows a media message's text as its caption, at most 1,024 characters
 * (Meta's limit for image, video and document captions).
 */
export const MAX_CAPTION_LENGTH = 1024;

export interface PlannedPart {
  readonly body: string;
  readonly media: readonly MediaItem[];
}

/** The messages a reply becomes, in sending order; throws a 400-kind error naming the limit. */
export function planReplyParts(input: { body: string; media: readonly MediaItem[] }): PlannedPart[] {
  const { body, media } = input;
  if (media.length > 0) {
    if (media.length > MAX_REPLY_PARTS) throw new InvalidValueError('files', `at most ${MAX_REPLY_PARTS} attachments per reply (one WhatsApp message each)`);
    if (body.length > MAX_CAPTION_LENGTH) throw new InvalidValueError('caption', `must be at most ${MAX_CAPTION_LENGTH} characters (WhatsApp's limit for a media caption)`);
    // The caption goes with the first attachment, as WhatsApp shows one caption per media message.
    return media.map((item, index) => ({ body: index === 0 ? body : '', media: [item] }));
  }
  if (body.trim().length === 0) throw new InvalidValueError('body', 'must not be empty');
  const texts = splitReplyBody(body, MAX_BODY_LENGTH);
  if (texts.length > MAX_REPLY_PARTS) {
    throw new InvalidValueError(
      'body',
      `too long: it would take ${texts.length} WhatsApp messages of at most ${MAX_BODY_LENGTH} characters; a reply may take at most ${MAX_REPLY_PARTS}`,
    );
  }
  return texts.map((text) => ({ body: text, media: [] }));
}

/**
 * The id of part `part` of reply `replyId`: the first part is the reply itself; the next ones
 * sort right after it (ids are compared as strings when a ticket's messages are ordered), so
 * the outbox's per-ticket order sends them in order.
 */
export function replyPartId(replyId: string, part: number): string {
  return part === 1 ? replyId : `${replyId}-${String(part).padStart(2, '0')}`;
}

export function replyPartIds(replyId: string, parts: number): string[] {
  return Array.from({ length: parts }, (_, index) => replyPartId(replyId, index + 1));
}

const PROGRESS: Record<Exclude<OutboundStatus, 'failed' | 'undelivered'>, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, read: 4 };

/**
 * The status a reply shows: its slowest part's. A failed part makes the reply failed (the
 * agent can retry it; `failed` wins over `undelivered`), else the least advanced status.
 */
export function replyStatus(statuses: readonly MessageStatus[]): MessageStatus {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.some(isFailure)) return 'undelivered';
  let slowest: MessageStatus | null = null;
  for (const status of statuses) {
    if (status === 'received') return status;
    if (slowest === null || PROGRESS[status as keyof typeof PROGRESS] < PROGRESS[slowest as keyof typeof PROGRESS]) slowest = status;
  }
  return slowest ?? 'queued';
}
