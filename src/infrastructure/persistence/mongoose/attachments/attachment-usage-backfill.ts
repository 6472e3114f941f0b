import { Connection, mongo } from 'mongoose';
import { attachmentIdOf } from '../../../../application/ports/media-url-signer.port';
import { ATTACHMENT_BUCKET } from './gridfs-attachment.store';

interface MarkerDocument {
  _id: string;
  doneAt: Date;
  marked: number;
}

const BACKFILL_ID = 'attachments-usage-backfill';
/** File ids per conditional update. */
const BATCH = 500;

/**
 * Files stored before `metadata.usedAt` existed carry no usage mark, sent ones included: before
 * the first sweep ever deletes anything, every file an outbound message refers to is marked used
 * (one scan of the messages, once per database; a marker document records it is done). A crash
 * midway leaves no marker and the next pass does it again (the updates only set missing marks).
 */
export class AttachmentUsageBackfill {
  private done = false;
  private readonly markers: mongo.Collection<MarkerDocument>;
  private readonly messages: mongo.Collection<{ _id: string; media?: Array<{ url?: unknown }> }>;
  private readonly files: mongo.Collection<mongo.GridFSFile>;

  constructor(connection: Connection) {
    const db = connection.db!;
    this.markers = db.collection<MarkerDocument>('maintenance_markers');
    this.messages = db.collection('messages');
    this.files = db.collection<mongo.GridFSFile>(`${ATTACHMENT_BUCKET}.files`);
  }

  /** Runs the backfill unless it is done; answers how many files it marked (0 once done). */
  async ensureDone(now: Date): Promise<number> {
    if (this.done) return 0;
    if (await this.markers.findOne({ _id: BACKFILL_ID })) {
      this.done = true;
      return 0;
    }
    let marked = 0;
    let batch: mongo.ObjectId[] = [];
    const flush = async (): Promise<void> => {
      const result = await this.files.updateMany({ _id: { $in: batch }, 'metadata.usedAt': { $exists: false } }, { $set: { 'metadata.usedAt': now } });
      marked += result.modifiedCount;
      batch = [];
    };
    const cursor = this.messages.find({ direction: 'outbound', media: { $ne: [] } }, { projection: { media: 1 } });
    for await (const message of cursor) {
      for (const item of message.media ?? []) {
        const id = typeof item.url === 'string' ? attachmentIdOf(item.url) : null;
        if (id && /^[0-9a-f]{24}$/.test(id)) batch.push(new mongo.ObjectId(id));
      }
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    // Another instance may have finished first: one marker either way.
    await this.markers.updateOne({ _id: BACKFILL_ID }, { $setOnInsert: { doneAt: now, marked } }, { upsert: true });
    this.done = true;
    return marked;
  }
}
