import { Connection, mongo } from 'mongoose';
import { AttachmentUsageBackfill } from './attachment-usage-backfill';
import { ATTACHMENT_BUCKET } from './gridfs-attachment.store';

/** What one pass removed (and, on its first pass ever, marked). */
export interface UnsentAttachmentSweepCounts {
  /** Files uploaded first and never sent, older than the TTL. */
  readonly files: number;
  /** Their chunks. */
  readonly chunks: number;
  /** Chunks left without a file document (an upload cut short by a crash), older than the TTL. */
  readonly orphanChunks: number;
  /** Files stored before usage marks existed that messages refer to, marked used (first pass only). */
  readonly backfilled: number;
}

export interface UnsentAttachmentSweepSettings {
  /** A file uploaded first and not used by a reply within this time is deleted. */
  readonly ttlMs: number;
  /** Files (and orphaned uploads) removed at most per pass, so one pass stays short. */
  readonly maxPerPass: number;
}

/** How many ids one look-up of file documents asks for (orphan chunk check). */
const LOOKUP_BATCH = 500;

/**
 * Deletes what `POST /tickets/:id/attachments` stored and no reply used: files without
 * `metadata.usedAt` uploaded more than the TTL ago, and chunks whose file document was never
 * written (GridFS writes it last, so a crash mid-upload leaves chunks only).
 *
 * Safe against a reply claiming the same file and against another pass: a file document goes
 * with one conditional delete (still unused), and its chunks only after that delete won, so a
 * claimed file is never touched and each file is deleted by one pass. The queries scan (the
 * embedded engine has no TTL or partial indexes): fine once an hour.
 */
export class GridFsUnsentAttachmentSweeper {
  private readonly files: mongo.Collection<mongo.GridFSFile>;
  private readonly chunks: mongo.Collection<mongo.GridFSChunk>;
  private readonly backfill: AttachmentUsageBackfill;

  constructor(
    connection: Connection,
    private readonly settings: UnsentAttachmentSweepSettings,
  ) {
    const db = connection.db!;
    this.files = db.collection<mongo.GridFSFile>(`${ATTACHMENT_BUCKET}.files`);
    this.chunks = db.collection<mongo.GridFSChunk>(`${ATTACHMENT_BUCKET}.chunks`);
    this.backfill = new AttachmentUsageBackfill(connection);
  }

  /** One pass as of `now`. */
  async sweep(now: Date): Promise<UnsentAttachmentSweepCounts> {
    const backfilled = await this.backfill.ensureDone(now);
    const cutoff = new Date(now.getTime() - this.settings.ttlMs);
    const unsent = await this.deleteUnsentFiles(cutoff);
    const orphanChunks = await this.deleteOrphanChunks(cutoff);
    return { ...unsent, orphanChunks, backfilled };
  }

  private async deleteUnsentFiles(cutoff: Date): Promise<{ files: number; chunks: number }> {
    const candidates = await this.files
      .find({ 'metadata.usedAt': { $exists: false }, uploadDate: { $lt: cutoff } }, { projection: { _id: 1 } })
      .limit(this.settings.maxPerPass)
      .toArray();
    let files = 0;
    let chunks = 0;
    for (const { _id } of candidates) {
      // Still unused at this very write: a reply's claim (a $set of usedAt) that came first makes it miss.
      const deleted = await this.files.deleteOne({ _id, 'metadata.usedAt': { $exists: false } });
      if (deleted.deletedCount !== 1) continue;
      files += 1;
      chunks += (await this.chunks.deleteMany({ files_id: _id })).deletedCount;
    }
    return { files, chunks };
  }

  private async deleteOrphanChunks(cutoff: Date): Promise<number> {
    // Upload ids are ObjectIds made when the upload starts: older than the cutoff means the
    // upload began more than the TTL ago, so it is over (finished, aborted or cut short).
    const startedBefore = mongo.ObjectId.createFromTime(Math.floor(cutoff.getTime() / 1000));
    const uploadIds = this.chunks.aggregate<{ _id: mongo.ObjectId }>([{ $match: { files_id: { $lt: startedBefore } } }, { $group: { _id: '$files_id' } }]);
    let uploads = 0;
    let deleted = 0;
    let batch: mongo.ObjectId[] = [];
    const flush = async (): Promise<void> => {
      const present = await this.files.find({ _id: { $in: batch } }, { projection: { _id: 1 } }).toArray();
      const known = new Set(present.map((file) => String(file._id)));
      for (const id of batch) {
        if (known.has(String(id)) || uploads >= this.settings.maxPerPass) continue;
        uploads += 1;
        deleted += (await this.chunks.deleteMany({ files_id: id })).deletedCount;
      }
      batch = [];
    };
    for await (const { _id } of uploadIds) {
      if (!(_id instanceof mongo.ObjectId)) continue;
      batch.push(_id);
      if (batch.length >= LOOKUP_BATCH) await flush();
      if (uploads >= this.settings.maxPerPass) break;
    }
    if (batch.length > 0 && uploads < this.settings.maxPerPass) await flush();
    await uploadIds.close();
    return deleted;
  }
}
