import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Connection } from 'mongoose';
import { BACKED_UP_COLLECTIONS, BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BackedUpCollection, BackupHeader, BackupTrailer, documentLine } from './backup-format';
import { eventLogPosition } from './event-log-position';

export interface BackupProgress {
  readonly collection: BackedUpCollection;
  /** Documents of this collection written so far / counted at its start (an estimate while the service writes). */
  readonly written: number;
  readonly expected: number;
  readonly totalWritten: number;
}

export interface BackupOptions {
  readonly connection: Connection;
  readonly file: string;
  readonly progress?: (progress: BackupProgress) => void;
  /** Milliseconds between progress reports (also one at the end of each collection). */
  readonly progressEveryMs?: number;
}

export interface BackupResult {
  readonly counts: Readonly<Record<BackedUpCollection, number>>;
  readonly bytes: number;
  /** No real-time event was appended during the export: no API-visible change happened meanwhile. */
  readonly quiescent: boolean;
}

/** Documents read per cursor batch: what the export holds in memory at most, whatever the data size. */
const BATCH = 500;
const CHUNK_CHARS = 64 * 1024;

/**
 * Streams the backed-up collections into a gzip'd NDJSON file (see backup-format.ts): one cursor
 * at a time in `_id` order, through the gzip stream's back-pressure, so memory stays flat however
 * many documents there are. Written under `<file>.partial` and renamed when complete, so a file
 * under the given name is always whole. Owner-only (mode 0600): it holds customers' messages.
 */
export async function writeBackup(options: BackupOptions): Promise<BackupResult> {
  const { connection } = options;
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  const everyMs = options.progressEveryMs ?? 1000;
  const counts = Object.fromEntries(BACKED_UP_COLLECTIONS.map((name) => [name, 0])) as Record<BackedUpCollection, number>;
  const startPosition = await eventLogPosition(connection);
  let endPosition = startPosition;
  let totalWritten = 0;

  async function* lines(): AsyncGenerator<string> {
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      database: db!.databaseName,
      collections: BACKED_UP_COLLECTIONS,
      eventLogPositionAtStart: startPosition,
    };
    yield `${JSON.stringify(header)}\n`;
    let pending = '';
    for (const name of BACKED_UP_COLLECTIONS) {
      const collection = db!.collection(name);
      const expected = await collection.estimatedDocumentCount();
      let lastReport = Date.now();
      const cursor = collection.find({}, { sort: { _id: 1 }, batchSize: BATCH });
      try {
        for await (const doc of cursor) {
          counts[name] += 1;
          totalWritten += 1;
          pending += `${documentLine(name, doc)}\n`;
          // Handed on in ~64 KB pieces: one stream write per document would cost more than the gzip.
          if (pending.length >= CHUNK_CHARS) {
            yield pending;
            pending = '';
          }
          if (options.progress && Date.now() - lastReport >= everyMs) {
            lastReport = Date.now();
            options.progress({ collection: name, written: counts[name], expected, totalWritten });
          }
        }
      } finally {
        await cursor.close();
      }
      options.progress?.({ collection: name, written: counts[name], expected, totalWritten });
    }
    if (pending !== '') yield pending;
    endPosition = await eventLogPosition(connection);
    const trailer: BackupTrailer = { end: true, counts, finishedAt: new Date().toISOString(), eventLogPositionAtEnd: endPosition };
    yield `${JSON.stringify(trailer)}\n`;
  }

  const partial = `${options.file}.partial`;
  const output = createWriteStream(partial, { mode: 0o600 });
  try {
    await pipeline(Readable.from(lines()), createGzip(), output);
    await rename(partial, options.file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { counts, bytes: output.bytesWritten, quiescent: endPosition === startPosition };
}
