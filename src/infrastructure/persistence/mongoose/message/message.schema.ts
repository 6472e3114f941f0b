import { Connection, Model, Schema } from 'mongoose';

export interface MessageDocument {
  _id: string;
  companyId: string;
  ticketId: string;
  integrationId: string;
  direction: 'inbound' | 'outbound';
  body: string;
  media: { url: string; contentType: string }[];
  /** contentVariables is stored as JSON text: its keys are the sender's and may hold '.' or '$'. */
  template: { contentSid: string; contentVariablesJson: string } | null;
  extras: Record<string, string> | null;
  twilioSid: string | null;
  /** The Twilio SID when known, else `none:<id>`: (integrationId, sidKey) is unique. */
  sidKey: string;
  status: string;
  error: { code: number | null; message: string } | null;
  attempts: number;
  senderUserId: string | null;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  /** A part of a reply of several messages (absent on messages stored before replies had parts). */
  reply?: { replyId: string; part: number; parts: number } | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/**
 * Outbox fields of an outbound message, written only by the delivery outbox (never part of
 * the aggregate's $set, so other writers leave them alone). Scheduling hints (when to look
 * again, parking) live in the `delivery_queue` collection instead.
 */
export interface DeliveryOutboxFields {
  /** Until when the worker that claimed the `sending` attempt owns it. */
  leaseExpiresAt?: Date | null;
}

export type StoredMessageDocument = MessageDocument & DeliveryOutboxFields;

const schema = new Schema<StoredMessageDocument>(
  {
    _id: { type: String, required: true },
    companyId: { type: String, required: true },
    ticketId: { type: String, required: true },
    integrationId: { type: String, required: true },
    direction: { type: String, required: true },
    body: { type: String, default: '' },
    media: { type: Schema.Types.Mixed, default: [] },
    template: { type: Schema.Types.Mixed, default: null },
    extras: { type: Schema.Types.Mixed, default: null },
    twilioSid: { type: String, default: null },
    sidKey: { type: String, required: true },
    status: { type: String, required: true },
    error: { type: Schema.Types.Mixed, default: null },
    attempts: { type: Number, required: true },
    senderUserId: { type: String, default: null },
    nextAttemptAt: { type: Date, default: null },
    lastAttemptAt: { type: Date, default: null },
    leaseExpiresAt: { type: Date, default: null },
    reply: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
  },
  { collection: 'messages', versionKey: false, minimize: false },
);
schema.index({ integrationId: 1, sidKey: 1 }, { unique: true, name: 'message_twilio_sid_unique' });
schema.index({ companyId: 1, ticketId: 1, createdAt: 1, _id: 1 }, { name: 'message_company_ticket_time' });
// The delivery queue's safety sweep looks for pending messages by status (workers poll the
// small delivery_queue collection instead).
schema.index({ status: 1, nextAttemptAt: 1 }, { name: 'message_outbox_due' });

export function messageModel(connection: Connection): Model<StoredMessageDocument> {
  return (connection.models.Message as Model<StoredMessageDocument> | undefined) ?? connection.model<StoredMessageDocument>('Message', schema);
}
