import { Readable } from 'node:stream';
import { Connection, mongo } from 'mongoose';
import { AttachmentStore, AttachmentToStore, AttachmentTooLargeError, StoredAttachment } from '../../../../application/ports/attachment-store.port';
import { readGridFsFile } from './gridfs-chunk-reader';

/** GridFS bucket `attachments` (collections attachments.files / attachments.chunks). */
export const ATTACHMENT_BUCKET = 'attachments';

export interface AttachmentMetadata {
  companyId: string;
  ticketId: string;
  contentType: string;
  uploadedBy: string;
  /** When a reply used the file; absent on a file uploaded first and not sent yet (swept once old). */
  usedAt?: Date;
}

/**
 * Outbound attachments in the database, through the driver's GridFSBucket (read back by
 * `readGridFsFile`, a few chunks per round trip): bytes go in and out in 255 kB chunks with
 * back-pressure, so an upload or a download holds a few chunks in memory whatever the file size. The bytes are counted as they arrive: past the limit the
 * upload stops and the aborted upload stream deletes the chunks already written (its file
 * document is only written at the end).
 */
export class GridFsAttachmentStore implements AttachmentStore {
  private readonly bucket: mongo.GridFSBucket;
  private readonly db: mongo.Db;
  private readonly files: mongo.Collection<mongo.GridFSFile>;

  constructor(connection: Connection) {
    this.db = connection.db!;
    this.files = this.db.collection<mongo.GridFSFile>(`${ATTACHMENT_BUCKET}.files`);
    this.bucket = new mongo.GridFSBucket(this.db, { bucketName: ATTACHMENT_BUCKET });
  }

  async store(input: AttachmentToStore, content: Readable): Promise<StoredAttachment> {
    const metadata: AttachmentMetadata = {
      companyId: input.companyId,
      ticketId: input.ticketId,
      contentType: input.contentType,
      uploadedBy: input.uploadedBy,
      ...(input.usedAt ? { usedAt: input.usedAt } : {}),
    };
    const upload = this.bucket.openUploadStream(input.filename, { metadata });
    let size = 0;
    try {
      // One write at a time, each awaited (a write that fills a chunk resolves once that chunk
      // is inserted): back-pressure, and when the limit is passed no insert is still in flight,
      // so the abort below deletes every chunk of the file.
      for await (const chunk of content as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > input.maxBytes) throw new AttachmentTooLargeError(input.maxBytes);
        await new Promise<void>((resolve, reject) => upload.write(chunk, (error) => (error ? reject(error) : resolve())));
      }
      await new Promise<void>((resolve, reject) => {
        upload.once('error', reject);
        upload.end(() => resolve());
      });
    } catch (error) {
      // The chunks written so far go; the file document is only written at the end.
      await upload.abort().catch(() => undefined);
      throw error;
    }
    const id = (upload.id as mongo.ObjectId).toHexString();
    return { id, companyId: input.companyId, ticketId: input.ticketId, filename: input.filename, contentType: input.contentType, size, uploadedBy: input.uploadedBy, uploadedAt: new Date() };
  }

  async find(companyId: string | null, id: string): Promise<StoredAttachment | null> {
    const objectId = toObjectId(id);
    if (!objectId) return null;
    const [file] = await this.bucket.find({ _id: objectId }, { limit: 1 }).toArray();
    if (!file) return null;
    const metadata = file.metadata as AttachmentMetadata | undefined;
    if (!metadata || (companyId !== null && metadata.companyId !== companyId)) return null;
    return {
      id,
      companyId: metadata.companyId,
      ticketId: metadata.ticketId,
      filename: file.filename,
      contentType: metadata.contentType,
      size: file.length,
      uploadedBy: metadata.uploadedBy,
      uploadedAt: file.uploadDate,
    };
  }

  async claim(companyId: string, id: string, at: Date): Promise<boolean> {
    const objectId = toObjectId(id);
    if (!objectId) return false;
    // One conditional write: the sweep deletes only documents without usedAt, so whichever of
    // the two reaches the document first wins and the other sees it (no match / not unused).
    const claimed = await this.files.updateOne({ _id: objectId, 'metadata.companyId': companyId }, { $set: { 'metadata.usedAt': at } });
    return claimed.matchedCount === 1;
  }

  openStream(id: string): Readable {
    const objectId = toObjectId(id);
    if (!objectId) throw new Error('not an attachment id');
    // Not bucket.openDownloadStream: it reads up to 16 MB of chunks per round trip (see the reader).
    return readGridFsFile(ATTACHMENT_BUCKET, this.db, objectId);
  }

  async delete(id: string): Promise<void> {
    const objectId = toObjectId(id);
    if (!objectId) return;
    await this.bucket.delete(objectId).catch((error: unknown) => {
      // Already gone: nothing to do.
      if (!(error instanceof mongo.MongoRuntimeError) && !String(error).includes('File not found')) throw error;
    });
  }
}

function toObjectId(id: string): mongo.ObjectId | null {
  return /^[0-9a-f]{24}$/.test(id) ? new mongo.ObjectId(id) : null;
}
