import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mongo } from 'mongoose';
import { CHUNKS_PER_BATCH, readGridFsFile } from '../../../src/infrastructure/persistence/mongoose/attachments/gridfs-chunk-reader';
import { connectTestDatabase, type TestDatabase } from '../../support/database/test-database';

/**
 * The attachment store reads files back with its own chunk reader (a few chunks per round trip
 * instead of the driver's 16 MB first batch): same bytes as written, and the driver's checks.
 */
describe('readGridFsFile on the database engine', () => {
  const bucketName = 'reader_check';
  let database: TestDatabase;
  let bucket: mongo.GridFSBucket;

  beforeAll(async () => {
    database = await connectTestDatabase();
    bucket = new mongo.GridFSBucket(database.connection.db!, { bucketName, chunkSizeBytes: 255 * 1024 });
  });

  afterAll(async () => {
    await database.dropAndClose();
  });

  async function store(data: Buffer): Promise<mongo.ObjectId> {
    const upload = bucket.openUploadStream('file.bin');
    await pipeline(Readable.from([data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)].filter((part) => part.length > 0)), upload);
    return upload.id as mongo.ObjectId;
  }

  async function readAll(stream: Readable): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

  it('reads a file of more chunks than one batch back byte for byte', async () => {
    const data = randomBytes((CHUNKS_PER_BATCH * 3 + 1) * 255 * 1024 + 17);
    const id = await store(data);
    expect(sha(await readAll(readGridFsFile(bucketName, database.connection.db!, id)))).toBe(sha(data));
  });

  it('reads a file of exactly one chunk, and an empty file', async () => {
    const one = randomBytes(255 * 1024);
    expect(sha(await readAll(readGridFsFile(bucketName, database.connection.db!, await store(one))))).toBe(sha(one));
    const empty = bucket.openUploadStream('empty.bin');
    await new Promise<void>((resolve) => empty.end(() => resolve()));
    expect((await readAll(readGridFsFile(bucketName, database.connection.db!, empty.id as mongo.ObjectId))).length).toBe(0);
  });

  it('fails on a missing chunk instead of returning a shorter file', async () => {
    const id = await store(randomBytes(3 * 255 * 1024));
    await database.connection.db!.collection(`${bucketName}.chunks`).deleteOne({ files_id: id, n: 1 });
    await expect(readAll(readGridFsFile(bucketName, database.connection.db!, id))).rejects.toThrow(/ChunkIsMissing/);
  });

  it('fails for a file that does not exist', async () => {
    await expect(readAll(readGridFsFile(bucketName, database.connection.db!, new mongo.ObjectId()))).rejects.toThrow(/File not found/);
  });
});
