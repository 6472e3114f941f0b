import { MessageStatus } from '../../../../domain/message/delivery-status';
import { InboundExtras, Message, MessageSnapshot } from '../../../../domain/message/message';
import { MessageDocument } from './message.schema';

export function toMessageDocument(message: Message, version: number): MessageDocument {
  const s = message.toSnapshot();
  return {
    _id: s.id,
    companyId: s.companyId,
    ticketId: s.ticketId,
    integrationId: s.integrationId,
    direction: s.direction,
    body: s.body,
    media: s.media.map((m) => ({ url: m.url, contentType: m.contentType })),
    template: s.template ? { contentSid: s.template.contentSid, contentVariablesJson: JSON.stringify(s.template.contentVariables) } : null,
    extras: s.extras ? { ...(s.extras as Record<string, string>) } : null,
    twilioSid: s.twilioSid,
    sidKey: s.twilioSid ?? `none:${s.id}`,
    status: s.status,
    error: s.error ? { ...s.error } : null,
    attempts: s.attempts,
    senderUserId: s.senderUserId,
    nextAttemptAt: s.nextAttemptAt,
    lastAttemptAt: s.lastAttemptAt,
    reply: s.reply ? { replyId: s.reply.replyId, part: s.reply.part, parts: s.reply.parts } : null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version,
  };
}

export function toMessage(doc: MessageDocument): Message {
  const snapshot: MessageSnapshot = {
    id: doc._id,
    companyId: doc.companyId,
    ticketId: doc.ticketId,
    integrationId: doc.integrationId,
    direction: doc.direction,
    body: doc.body ?? '',
    media: (doc.media ?? []).map((m) => ({ url: m.url, contentType: m.contentType })),
    template: doc.template
      ? { contentSid: doc.template.contentSid, contentVariables: JSON.parse(doc.template.contentVariablesJson) as Record<string, string> }
      : null,
    extras: (doc.extras as InboundExtras | null) ?? null,
    twilioSid: doc.twilioSid ?? null,
    status: doc.status as MessageStatus,
    error: doc.error ? { code: doc.error.code ?? null, message: doc.error.message } : null,
    attempts: doc.attempts,
    senderUserId: doc.senderUserId ?? null,
    nextAttemptAt: doc.nextAttemptAt ? new Date(doc.nextAttemptAt) : null,
    lastAttemptAt: doc.lastAttemptAt ? new Date(doc.lastAttemptAt) : null,
    reply: doc.reply ? { replyId: doc.reply.replyId, part: doc.reply.part, parts: doc.reply.parts } : null,
    createdAt: new Date(doc.createdAt),
    updatedAt: new Date(doc.updatedAt),
    version: doc.version,
  };
  return Message.restore(snapshot);
}
