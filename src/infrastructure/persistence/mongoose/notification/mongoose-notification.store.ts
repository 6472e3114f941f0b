import { Connection, Model, Schema, Types, mongo } from 'mongoose';
import { NewNotification, NotificationStore, NotificationView, Viewer } from '../../../../application/ports/notification.port';
import { SortKey } from '../../../../application/ports/ticket-read-model.port';
import { isDuplicateKeyError } from '../mongo-errors';

interface NotificationDocument {
  _id: string;
  companyId: string;
  recipient: { role: 'admin' | 'agent' | null; userId: string | null };
  kind: NotificationView['kind'];
  subjectId: string;
  message: string;
  read: boolean;
  /** The caller's dedupe key, else `none:<id>`; unique per company. */
  dedupeKey: string;
  createdAt: Date;
}

const schema = new Schema<NotificationDocument>(
  {
    _id: { type: String, required: true },
    companyId: { type: String, required: true },
    recipient: { type: Schema.Types.Mixed, required: true },
    kind: { type: String, required: true },
    subjectId: { type: String, required: true },
    message: { type: String, required: true },
    read: { type: Boolean, required: true },
    dedupeKey: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'notifications', versionKey: false, minimize: false },
);
schema.index({ companyId: 1, dedupeKey: 1 }, { unique: true, name: 'notification_dedupe' });
schema.index({ companyId: 1, createdAt: -1 }, { name: 'notification_company_time' });

/** Notifications are addressed to a role of a company or to one user; the read flag is shared. */
export class MongooseNotificationStore implements NotificationStore {
  private readonly model: Model<NotificationDocument>;
  private readonly collection: mongo.Collection<NotificationDocument>;

  constructor(connection: Connection, private readonly now: () => Date = () => new Date()) {
    this.model = (connection.models.Notification as Model<NotificationDocument> | undefined) ?? connection.model<NotificationDocument>('Notification', schema);
    this.collection = this.model.collection as unknown as mongo.Collection<NotificationDocument>;
  }

  async add(notification: NewNotification): Promise<NotificationView | null> {
    const id = new Types.ObjectId().toHexString();
    const doc: NotificationDocument = {
      _id: id,
      companyId: notification.companyId,
      recipient: { role: notification.recipient.role ?? null, userId: notification.recipient.userId ?? null },
      kind: notification.kind,
      subjectId: notification.subjectId,
      message: notification.message,
      read: false,
      dedupeKey: notification.dedupeKey ?? `none:${id}`,
      createdAt: this.now(),
    };
    try {
      await this.collection.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
    return toView(doc);
  }

  async listFor(viewer: Viewer, limit: number, after: SortKey | null = null): Promise<NotificationView[]> {
    const addressed = { $or: [{ 'recipient.role': viewer.role }, { 'recipient.userId': viewer.userId }] };
    const older = after ? { $or: [{ createdAt: { $lt: after.at } }, { createdAt: after.at, _id: { $lt: after.id } }] } : null;
    const docs = await this.collection
      .find({ companyId: viewer.companyId, ...(older ? { $and: [addressed, older] } : addressed) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(toView);
  }

  async markRead(viewer: Viewer, id: string): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id, companyId: viewer.companyId, $or: [{ 'recipient.role': viewer.role }, { 'recipient.userId': viewer.userId }] },
      { $set: { read: true } },
    );
    return result.matchedCount === 1;
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }
}

function toView(doc: NotificationDocument): NotificationView {
  return {
    id: doc._id,
    companyId: doc.companyId,
    recipient: { ...(doc.recipient.role ? { role: doc.recipient.role } : {}), ...(doc.recipient.userId ? { userId: doc.recipient.userId } : {}) },
    kind: doc.kind,
    subjectId: doc.subjectId,
    message: doc.message,
    read: doc.read,
    createdAt: new Date(doc.createdAt),
  };
}
