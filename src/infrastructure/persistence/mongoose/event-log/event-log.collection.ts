import { Connection, mongo } from 'mongoose';
import type { RealtimeEventName } from '../../../../application/realtime/realtime-event';
import { eventLogHead } from './event-log.head';

export const EVENT_LOG_COLLECTION = 'event_log';

/** Digits of an entry's `_id`: up to 10^15 − 1 entries, still a safe integer in `seq`. */
const KEY_WIDTH = 15;
const MAX_SEQ = 10 ** KEY_WIDTH - 1;

/**
 * One stored real-time event. `seq` is the sequence number: gap-free and increasing across
 * every instance (see MongooseEventLog). `_id` is the same number as zero-padded text
 * (`eventLogKey`), because FerretDB v1 serves equality on a string `_id` from its primary
 * key but scans the whole collection for a numeric one; padded, text order is number order.
 * The payload is JSON text, because read-model keys may contain '.' or start with '$',
 * which FerretDB refuses as document keys.
 */
export interface EventLogDocument {
  _id: string;
  seq: number;
  companyId: string;
  event: RealtimeEventName;
  payload: string;
  /** Null: the whole company; else only this role or this user (notifications). */
  audience: { role: 'admin' | 'agent' | null; userId: string | null } | null;
  at: Date;
}

/** The `_id` of sequence number `seq`: fixed-width decimal, so it sorts like the number. */
export function eventLogKey(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > MAX_SEQ) throw new RangeError(`event log: sequence number out of range: ${seq}`);
  return String(seq).padStart(KEY_WIDTH, '0');
}

export function eventLogCollection(connection: Connection): mongo.Collection<EventLogDocument> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  return db.collection<EventLogDocument>(EVENT_LOG_COLLECTION);
}

/**
 * Creates the capped collection (idempotent) and the (companyId, _id) replay index. A capped
 * collection keeps insertion order (= sequence order) and drops the oldest entries first.
 */
export async function ensureEventLog(connection: Connection, sizeBytes: number): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  try {
    await db.createCollection(EVENT_LOG_COLLECTION, { capped: true, size: sizeBytes });
    await eventLogHead(connection).reset(); // a new log starts at 1, whatever an old one reached
  } catch (error) {
    if ((error as { code?: unknown }).code !== 48) throw error; // NamespaceExists
  }
  const collection = db.collection<EventLogDocument>(EVENT_LOG_COLLECTION);
  if (!(await collection.isCapped())) {
    throw new Error(`collection ${EVENT_LOG_COLLECTION} exists but is not capped: drop it (it only holds real-time history) and restart`);
  }
  // Entries of the first format had the number itself as `_id`; numbers sort before strings,
  // so new entries would follow unseen. The oldest entry is the one cheap read that tells.
  const [oldest] = await collection.find({}, { projection: { _id: 1 } }).limit(1).toArray();
  if (oldest && typeof oldest._id !== 'string') {
    throw new Error(`collection ${EVENT_LOG_COLLECTION} holds entries of an older format: drop it (it only holds real-time history) and restart`);
  }
  await collection.createIndex({ companyId: 1, _id: 1 }, { name: 'event_log_company_seq' });
}
