import { Message } from '../../domain/message/message';
import { MessageRepository } from '../../domain/message/message.repository';
import { replyPartIds, replyStatus } from '../../domain/message/reply';
import { MessageView, ReplyPartView, mediaPath, toMessageView } from './message.view';

/**
 * The read model of a reply of several messages: one entry, the id of its first part, the
 * status of its slowest part, and `parts` with each Twilio message's own SID, status and
 * attempts. A message that is not part of such a reply is its own view.
 */
export function toReplyView(parts: readonly Message[]): MessageView {
  const first = parts[0];
  if (!first) throw new Error('a reply has at least one part');
  if (parts.length === 1 && first.reply === null) return toMessageView(first);
  const views = parts.map(toMessageView);
  const failed = views.find((view) => view.error !== null && (view.status === 'failed' || view.status === 'undelivered'));
  let mediaIndex = 0;
  return {
    ...views[0]!,
    body: views.map((view) => view.body).filter((body) => body.length > 0).join('\n\n'),
    media: parts.flatMap((part) => part.media.map((item, index) => ({ index: mediaIndex++, contentType: item.contentType, url: mediaPath(part.id, index) }))),
    twilioSid: null,
    status: replyStatus(views.map((view) => view.status)),
    error: failed?.error ?? null,
    attempts: Math.max(...views.map((view) => view.attempts)),
    updatedAt: new Date(Math.max(...views.map((view) => view.updatedAt.getTime()))),
    parts: views.map(
      (view, index): ReplyPartView => ({
        id: view.id,
        part: index + 1,
        body: view.body,
        media: view.media,
        twilioSid: view.twilioSid,
        status: view.status,
        error: view.error,
        attempts: view.attempts,
        updatedAt: view.updatedAt,
      }),
    ),
  };
}

/** All stored parts of the reply `message` belongs to (itself alone when it is a one-message reply), in order. */
export async function loadReplyParts(messages: MessageRepository, companyId: string, message: Message): Promise<Message[]> {
  const reply = message.reply;
  if (!reply) return [message];
  const parts = await Promise.all(
    replyPartIds(reply.replyId, reply.parts).map((id) => (id === message.id ? Promise.resolve(message) : messages.findById(companyId, id))),
  );
  return parts.filter((part): part is Message => part !== null);
}
