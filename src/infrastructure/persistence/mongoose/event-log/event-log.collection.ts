import { Connection, mongo } from 'mongoose';
import type { RealtimeEventName } from '../../../../application/realtime/realtime-event';

export const EVENT_LOG_COLLECTION = 'event_log';

/**
 * One stored real-time event. `_id` is the sequence number: gap-free and increasing across
 * every instance (see MongooseEventLog). The payload is JSON text, because read-model keys
 * may contain '.' or start with '$', which FerretDB refuses as document keys.
 */
export interface EventLogDocument {
  _id: number;
  companyId: string;
  event: RealtimeEventName;
  payload: string;
  /** Null: the whole company; else only this role or this user (notifications). */
  audience: { role: 'admin' | 'agent' | null; userId: string | null } | null;
  at: Date;
}

/**
 * A hint of the newest sequence number, for servers that cannot await new entries on a
 * tailable cursor (FerretDB v1: every poll of the log is a full collection scan). Reading
 * this one small document tells the tailer whether the log query is worth running.
 */
export const EVENT_LOG_HEAD_COLLECTION = 'event_log_head';
export const EVENT_LOG_HEAD_ID = 'head';

export interface EventLogHeadDocument {
  _id: string;
  seq: number;
}

export function eventLogHeadCollection(connection: Connection): mongo.Collection<EventLogHeadDocument> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  return db.collection<EventLogHeadDocument>(EVENT_LOG_HEAD_COLLECTION);
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
  } catch (error) {
    if ((error as { code?: unknown }).code !== 48) throw error; // NamespaceExists
  }
  const collection = db.collection<EventLogDocument>(EVENT_LOG_COLLECTION);
  if (!(await collection.isCapped())) {
    throw new Error(`collection ${EVENT_LOG_COLLECTION} exists but is not capped: drop it (it only holds real-time history) and restart`);
  }
  await collection.createIndex({ companyId: 1, _id: 1 }, { name: 'event_log_company_seq' });
}
