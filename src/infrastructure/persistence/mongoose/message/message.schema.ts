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
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const schema = new Schema<MessageDocument>(
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
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
  },
  { collection: 'messages', versionKey: false, minimize: false },
);
schema.index({ integrationId: 1, sidKey: 1 }, { unique: true, name: 'message_twilio_sid_unique' });
schema.index({ companyId: 1, ticketId: 1, createdAt: 1, _id: 1 }, { name: 'message_company_ticket_time' });

export function messageModel(connection: Connection): Model<MessageDocument> {
  return (connection.models.Message as Model<MessageDocument> | undefined) ?? connection.model<MessageDocument>('Message', schema);
}
