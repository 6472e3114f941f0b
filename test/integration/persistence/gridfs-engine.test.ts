import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mongo } from 'mongoose';
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
    let seen = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        done(seen > limit ? new Error('over the limit') : null, chunk);
      },
    });
    const upload = bucket.openUploadStream('too-big.mp4');
    await expect(pipeline(chunksOf(randomBytes(3 * limit), 64 * 1024), counter, upload)).rejects.toThrow('over the limit');
    await upload.abort().catch(() => undefined);

    expect(await database.connection.db!.collection('gridfs_check.files').countDocuments()).toBe(filesBefore);
    expect(await database.connection.db!.collection('gridfs_check.chunks').countDocuments()).toBe(chunksBefore);
    expect(await bucket.find({ _id: upload.id }).toArray()).toEqual([]);
  });

  it('deletes a stored file with its chunks', async () => {
    const upload = bucket.openUploadStream('gone.png');
    await pipeline(chunksOf(randomBytes(700 * 1024), 64 * 1024), upload);
    await bucket.delete(upload.id);
    expect(await bucket.find({ _id: upload.id }).toArray()).toEqual([]);
    expect(await database.connection.db!.collection('gridfs_check.chunks').countDocuments({ files_id: upload.id })).toBe(0);
  });
});
