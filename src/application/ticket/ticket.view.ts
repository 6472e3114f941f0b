import { Ticket } from '../../domain/ticket/ticket';
import { TicketStatus } from '../../domain/ticket/ticket-status';

/** The read model of a ticket: what the API answers and what SSE events carry. */
export interface TicketView {
  readonly id: string;
  readonly companyId: string;
  readonly integrationId: string;
  readonly contact: {
    readonly whatsappNumber: string;
    readonly profileName: string | null;
    readonly waId: string | null;
    readonly optedOut: boolean;
  };
  readonly status: TicketStatus;
  readonly unreadCount: number;
  readonly lastMessage: { readonly preview: string; readonly at: Date; readonly direction: 'inbound' | 'outbound' } | null;
  readonly lastInboundAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function toTicketView(ticket: Ticket): TicketView {
  const s = ticket.toSnapshot();
  return {
    id: s.id,
    companyId: s.companyId,
    integrationId: s.integrationId,
    contact: { ...s.contact },
    status: s.status,
    unreadCount: s.unreadCount,
    lastMessage: s.lastMessage ? { ...s.lastMessage } : null,
    lastInboundAt: s.lastInboundAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
