import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mongo } from 'mongoose';
import { AttachmentTooLargeError } from '../../../src/application/ports/attachment-store.port';
import { ATTACHMENT_BUCKET, GridFsAttachmentStore } from '../../../src/infrastructure/persistence/mongoose/attachments/gridfs-attachment.store';
import { connectTestDatabase, type TestDatabase } from '../../support/database/test-database';

/**
 * GridFS (the driver's GridFSBucket) on the test run's engine, embedded mongo-java-server
 * included: outbound attachments are stored with it, streamed in and out in chunks.
 */
describe('GridFS on the database engine', () => {
  let database: TestDatabase;
  let bucket: mongo.GridFSBucket;

  beforeAll(async () => {
    database = await connectTestDatabase();
    bucket = new mongo.GridFSBucket(database.connection.db!, { bucketName: 'gridfs_check', chunkSizeBytes: 255 * 1024 });
  });

  afterAll(async () => {
    await database.dropAndClose();
  });

  function chunksOf(data: Buffer, size: number): Readable {
    return Readable.from((function* () {
      for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
    })());
  }

  async function readAll(stream: Readable): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  it('stores a multi-chunk file streamed in and reads the same bytes back, with its metadata', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const upload = bucket.openUploadStream('report.pdf', { metadata: { contentType: 'application/pdf', companyId: 'acme' } });
    await pipeline(chunksOf(data, 64 * 1024), upload);

    const [file] = await bucket.find({ _id: upload.id }).toArray();
    expect(file).toMatchObject({ length: data.length, filename: 'report.pdf', metadata: { contentType: 'application/pdf', companyId: 'acme' } });
    const back = await readAll(bucket.openDownloadStream(upload.id));
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('reads a byte range (chunks skipped by the driver)', async () => {
    const data = randomBytes(600 * 1024);
    const upload = bucket.openUploadStream('range.bin');
    await pipeline(chunksOf(data, 100 * 1024), upload);
    const slice = await readAll(bucket.openDownloadStream(upload.id, { start: 300_000, end: 400_000 }));
    expect(slice.equals(data.subarray(300_000, 400_000))).toBe(true);
  });

  it('an upload aborted midway (a size limit) leaves no file and no chunk behind', async () => {
    const filesBefore = await database.connection.db!.collection('gridfs_check.files').countDocuments();
    const chunksBefore = await database.connection.db!.collection('gridfs_check.chunks').countDocuments();
    const limit = 1024 * 1024;
    const upload = bucket.openUploadStream('too-big.mp4');
    // Each write awaited, as the attachment store does: abort() deletes the chunks already
    // inserted but does not wait for an insert still in flight (that one would land after the
    // delete), so nothing may be in flight when the limit is passed.
    let seen = 0;
    for await (const chunk of chunksOf(randomBytes(3 * limit), 64 * 1024)) {
      seen += (chunk as Buffer).length;
      if (seen > limit) break;
      await new Promise<void>((resolve, reject) => upload.write(chunk, (error) => (error ? reject(error) : resolve())));
    }
    await upload.abort();

    expect(await database.connection.db!.collection('gridfs_check.files').countDocuments()).toBe(filesBefore);
    expect(await database.connection.db!.collection('gridfs_check.chunks').countDocuments()).toBe(chunksBefore);
    expect(await bucket.find({ _id: upload.id }).toArray()).toEqual([]);
  });

  it('the attachment store refuses content over its limit and keeps nothing of it, file after file', async () => {
    const store = new GridFsAttachmentStore(database.connection);
    const files = database.connection.db!.collection(`${ATTACHMENT_BUCKET}.files`);
    const chunks = database.connection.db!.collection(`${ATTACHMENT_BUCKET}.chunks`);
    const filesBefore = await files.countDocuments();
    const chunksBefore = await chunks.countDocuments();
    const input = { companyId: 'acme', ticketId: 't-1', filename: 'big.mp4', contentType: 'video/mp4', uploadedBy: 'agent-1', maxBytes: 1024 * 1024 };
    for (let round = 0; round < 5; round += 1) {
      // Irregular chunk sizes: the limit falls at a different place within a GridFS chunk each time.
      await expect(store.store(input, chunksOf(randomBytes(3 * 1024 * 1024), 40_000 + round * 7_919))).rejects.toBeInstanceOf(AttachmentTooLargeError);
    }
    expect(await files.countDocuments()).toBe(filesBefore);
    expect(await chunks.countDocuments()).toBe(chunksBefore);

    const kept = await store.store(input, chunksOf(randomBytes(1024 * 1024), 40_000));
    expect(kept.size).toBe(1024 * 1024);
    expect(await files.countDocuments()).toBe(filesBefore + 1);
  });

  it('deletes a stored file with its chunks', async () => {
    const upload = bucket.openUploadStream('gone.png');
    await pipeline(chunksOf(randomBytes(700 * 1024), 64 * 1024), upload);
    await bucket.delete(upload.id);
    expect(await bucket.find({ _id: upload.id }).toArray()).toEqual([]);
    expect(await database.connection.db!.collection('gridfs_check.chunks').countDocuments({ files_id: upload.id })).toBe(0);
  });
});
