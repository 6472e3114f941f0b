import { Readable } from 'node:stream';
import { mongo } from 'mongoose';

/**
 * Chunks per database round trip when a file is read. The driver's own download stream asks
 * without a batch size, so the server answers its first find with up to 16 MB of chunks in one
 * reply, all of it held in memory while the client downloads (measured: +16 MB for a 15 MB
 * video). Four 255 kB chunks keep about 1 MB in flight and still stream at full speed.
 */
export const CHUNKS_PER_BATCH = 4;

interface ChunkDocument {
  readonly n: number;
  readonly data: mongo.Binary;
}

/**
 * A GridFS file's bytes as a stream, chunk by chunk in order, `CHUNKS_PER_BATCH` per round trip,
 * with the driver's checks: a missing, extra or wrongly sized chunk fails the stream.
 */
export function readGridFsFile(bucketName: string, db: mongo.Db, fileId: mongo.ObjectId): Readable {
  // Not object mode, one chunk ahead: what is buffered is bounded by bytes, not by 16 chunks.
  return Readable.from(chunksOf(db, bucketName, fileId), { objectMode: false, highWaterMark: 256 * 1024 });
}

async function* chunksOf(db: mongo.Db, bucketName: string, fileId: mongo.ObjectId): AsyncGenerator<Buffer> {
  const file = await db.collection<mongo.GridFSFile>(`${bucketName}.files`).findOne({ _id: fileId });
  if (!file) throw new mongo.MongoRuntimeError(`File not found for id ${fileId.toHexString()}`);
  const lastChunk = Math.ceil(file.length / file.chunkSize) - 1;
  const cursor = db
    .collection<ChunkDocument>(`${bucketName}.chunks`)
    .find({ files_id: fileId }, { sort: { n: 1 }, batchSize: CHUNKS_PER_BATCH, projection: { _id: 0, n: 1, data: 1 } });
  let expected = 0;
  try {
    for await (const chunk of cursor) {
      if (chunk.n !== expected) throw new mongo.MongoRuntimeError(`ChunkIsMissing: got chunk ${chunk.n}, expected ${expected}`);
      if (chunk.n > lastChunk) throw new mongo.MongoRuntimeError(`ExtraChunk: chunk ${chunk.n} past the file's end`);
      const bytes = chunk.data.buffer;
      const size = chunk.n === lastChunk ? file.length - lastChunk * file.chunkSize : file.chunkSize;
      if (bytes.length !== size) throw new mongo.MongoRuntimeError(`ChunkIsWrongSize: chunk ${chunk.n} has ${bytes.length} bytes, expected ${size}`);
      expected += 1;
      yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  } finally {
    await cursor.close();
  }
  if (expected !== lastChunk + 1) throw new mongo.MongoRuntimeError(`ChunkIsMissing: got ${expected} of ${lastChunk + 1} chunks`);
}
