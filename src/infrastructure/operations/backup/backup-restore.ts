import { Connection, mongo } from 'mongoose';
import {
  BACKED_UP_COLLECTIONS,
  BackedUpCollection,
  BackupFormatError,
  BackupHeader,
  BackupTrailer,
  DERIVED_COLLECTIONS,
  isBackedUpCollection,
  parseDocumentLine,
  parseHeader,
} from './backup-format';
import { forEachBackupLine } from './backup-lines';

export interface RestoreOptions {
  readonly connection: Connection;
  readonly file: string;
  /** Empty a database that holds Zapdesk data first (its integrations, tickets, messages… are lost). */
  readonly force?: boolean;
  readonly progress?: (progress: { readonly collection: BackedUpCollection; readonly restored: number; readonly expected: number }) => void;
  readonly progressEveryMs?: number;
}

export interface RestoreResult {
  readonly header: BackupHeader;
  readonly counts: Readonly<Record<BackedUpCollection, number>>;
}

/** Refusal of a database that already holds Zapdesk data (without --force). */
export class DatabaseNotEmptyError extends Error {}

const BATCH = 1000;
const LINE_PREFIX = /^\{"collection":"([a-z_]+)",/;

/**
 * Restores a backup into the database: checks the whole file first (header and format version,
 * every line's collection, the trailer and its counts: a truncated or foreign file changes
 * nothing), refuses a database holding Zapdesk data unless `force`, then inserts in batches,
 * reading the file as a stream. Run it with the service stopped; the service creates the
 * indexes at its next start and rebuilds the delivery queue from the messages.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const db = options.connection.db;
  if (!db) throw new Error('database connection is not open');
  const { header, trailer } = await verifyBackup(options.file);

  const holding = await collectionsHoldingData(db);
  if (holding.length > 0) {
    if (!options.force) {
      throw new DatabaseNotEmptyError(`database "${db.databaseName}" is not empty (${holding.join(', ')} hold documents): restore into an empty database, or pass --force to replace its Zapdesk data`);
    }
    for (const name of [...BACKED_UP_COLLECTIONS, ...DERIVED_COLLECTIONS]) await db.collection(name).deleteMany({});
  }

  const counts = Object.fromEntries(BACKED_UP_COLLECTIONS.map((name) => [name, 0])) as Record<BackedUpCollection, number>;
  const everyMs = options.progressEveryMs ?? 1000;
  let batch: mongo.Document[] = [];
  let batchCollection: BackedUpCollection | null = null;
  let lastReport = Date.now();
  const flush = async (): Promise<void> => {
    if (batchCollection === null || batch.length === 0) return;
    const name = batchCollection;
    await db.collection(name).insertMany(batch, { ordered: true });
    counts[name] += batch.length;
    batch = [];
    if (options.progress && Date.now() - lastReport >= everyMs) {
      lastReport = Date.now();
      options.progress({ collection: name, restored: counts[name], expected: trailer.counts[name] });
    }
  };
  await forEachBackupLine(options.file, async (line, index) => {
    if (index === 0 || line === '' || !LINE_PREFIX.test(line)) return;
    const { collection, doc } = parseDocumentLine(line);
    if (collection !== batchCollection) {
      await flush();
      if (batchCollection !== null) options.progress?.({ collection: batchCollection, restored: counts[batchCollection], expected: trailer.counts[batchCollection] });
      batchCollection = collection;
    }
    // A conversation's filing lease belonged to an instance of the old database's service.
    batch.push(collection === 'inbound_lanes' ? { ...doc, holder: null, leaseUntil: null } : doc);
    if (batch.length >= BATCH) await flush();
  });
  await flush();
  if (batchCollection !== null) options.progress?.({ collection: batchCollection, restored: counts[batchCollection], expected: trailer.counts[batchCollection] });
  return { header, counts };
}

/** Reads the whole file once without storing anything: header, collections and trailer counts agree. */
export async function verifyBackup(file: string): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  let header: BackupHeader | null = null;
  let trailer: BackupTrailer | null = null;
  const seen = Object.fromEntries(BACKED_UP_COLLECTIONS.map((name) => [name, 0])) as Record<BackedUpCollection, number>;
  await forEachBackupLine(file, (line, index) => {
    if (index === 0) {
      header = parseHeader(line);
      return;
    }
    if (line === '') return;
    if (trailer !== null) throw new BackupFormatError(`${file}: line ${index + 1} follows the end marker`);
    const name = LINE_PREFIX.exec(line)?.[1];
    if (name !== undefined) {
      if (!isBackedUpCollection(name)) throw new BackupFormatError(`${file}: line ${index + 1} is of unknown collection "${name}"`);
      seen[name] += 1;
      return;
    }
    const parsed = safeJson(line) as Partial<BackupTrailer> | null;
    if (parsed?.end !== true) throw new BackupFormatError(`${file}: line ${index + 1} is neither a document nor the end marker`);
    trailer = parsed as BackupTrailer;
  });
  if (header === null) throw new BackupFormatError(`${file} is empty`);
  if (trailer === null) throw new BackupFormatError(`${file} is truncated: it has no end marker (the backup did not finish)`);
  const end: BackupTrailer = trailer;
  for (const name of BACKED_UP_COLLECTIONS) {
    if ((end.counts[name] ?? 0) !== seen[name]) throw new BackupFormatError(`${file}: ${seen[name]} ${name} documents, but its end marker says ${end.counts[name] ?? 0}`);
  }
  return { header, trailer: end };
}

async function collectionsHoldingData(db: mongo.Db): Promise<string[]> {
  const holding: string[] = [];
  for (const name of [...BACKED_UP_COLLECTIONS, ...DERIVED_COLLECTIONS]) {
    if ((await db.collection(name).findOne({}, { projection: { _id: 1 } })) !== null) holding.push(name);
  }
  return holding;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
