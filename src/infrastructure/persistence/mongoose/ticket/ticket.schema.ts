import { Connection, Model, Schema } from 'mongoose';

export interface TicketDocument {
  _id: string;
  companyId: string;
  integrationId: string;
  contact: { whatsappNumber: string; profileName: string | null; waId: string | null; optedOut: boolean };
  status: 'open' | 'pending' | 'closed';
  /** `<integrationId>:<contact>` while not closed, `closed:<id>` after: one open ticket per contact. */
  openKey: string;
  unreadCount: number;
  lastMessage: { preview: string; at: Date; direction: 'inbound' | 'outbound' } | null;
  lastInboundAt: Date | null;
  /** Exactly-once key of inbound counting (see TicketSnapshot.appliedInboundIds). */
  appliedInboundIds: string[];
  /** See TicketSnapshot.openedForMessageId; absent on tickets stored before it existed. */
  openedForMessageId?: string | null;
  /** Sort key of the ticket list: newest activity first. */
  lastActivityAt: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const schema = new Schema<TicketDocument>(
  {
    _id: { type: String, required: true },
    companyId: { type: String, required: true },
    integrationId: { type: String, required: true },
    contact: { type: Schema.Types.Mixed, required: true },
    status: { type: String, required: true },
    openKey: { type: String, required: true },
    unreadCount: { type: Number, required: true },
    lastMessage: { type: Schema.Types.Mixed, default: null },
    lastInboundAt: { type: Date, default: null },
    appliedInboundIds: { type: [String], default: [] },
    openedForMessageId: { type: String, default: null },
    lastActivityAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
  },
  { collection: 'tickets', versionKey: false, minimize: false },
);
schema.index({ openKey: 1 }, { unique: true, name: 'ticket_one_open_per_contact' });
schema.index({ companyId: 1, lastActivityAt: -1, _id: -1 }, { name: 'ticket_company_activity' });
schema.index({ companyId: 1, status: 1, lastActivityAt: -1, _id: -1 }, { name: 'ticket_company_status_activity' });
schema.index({ companyId: 1, integrationId: 1, lastActivityAt: -1, _id: -1 }, { name: 'ticket_company_integration_activity' });

export function ticketModel(connection: Connection): Model<TicketDocument> {
  return (connection.models.Ticket as Model<TicketDocument> | undefined) ?? connection.model<TicketDocument>('Ticket', schema);
}

export function openKeyOf(integrationId: string, contactNumber: string): string {
  return `${integrationId}:${contactNumber}`;
}
