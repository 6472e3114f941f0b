import { Ticket, TicketSnapshot } from '../../../../domain/ticket/ticket';
import { TicketDocument, openKeyOf } from './ticket.schema';

export function toTicketDocument(ticket: Ticket, version: number): TicketDocument {
  const s = ticket.toSnapshot();
  return {
    _id: s.id,
    companyId: s.companyId,
    integrationId: s.integrationId,
    contact: { ...s.contact },
    status: s.status,
    openKey: s.status === 'closed' ? `closed:${s.id}` : openKeyOf(s.integrationId, s.contact.whatsappNumber),
    unreadCount: s.unreadCount,
    lastMessage: s.lastMessage ? { ...s.lastMessage } : null,
    lastInboundAt: s.lastInboundAt,
    appliedInboundIds: [...s.appliedInboundIds],
    openedForMessageId: s.openedForMessageId,
    lastActivityAt: s.lastMessage?.at ?? s.createdAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version,
  };
}

export function toTicket(doc: TicketDocument): Ticket {
  const snapshot: TicketSnapshot = {
    id: doc._id,
    companyId: doc.companyId,
    integrationId: doc.integrationId,
    contact: {
      whatsappNumber: doc.contact.whatsappNumber,
      profileName: doc.contact.profileName ?? null,
      waId: doc.contact.waId ?? null,
      optedOut: doc.contact.optedOut === true,
    },
    status: doc.status,
    unreadCount: doc.unreadCount,
    lastMessage: doc.lastMessage ? { ...doc.lastMessage, at: new Date(doc.lastMessage.at) } : null,
    lastInboundAt: doc.lastInboundAt ? new Date(doc.lastInboundAt) : null,
    appliedInboundIds: doc.appliedInboundIds ?? [],
    openedForMessageId: doc.openedForMessageId ?? null,
    createdAt: new Date(doc.createdAt),
    updatedAt: new Date(doc.updatedAt),
    version: doc.version,
  };
  return Ticket.restore(snapshot);
}
