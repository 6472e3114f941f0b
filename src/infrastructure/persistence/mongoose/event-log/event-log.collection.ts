import { Connection, mongo } from 'mongoose';
import type { RealtimeEventName } from '../../../../application/realtime/realtime-event';

export const EVENT_LOG_COLLECTION = 'event_log';

/**
 * One stored real-time event. `_id` is its sequence number: gap-free and increasing across every
 * instance (see MongooseEventLog), so `_id` order is sequence order and the `_id` index serves
 * every range read. The payload is the JSON text sent as the SSE `data:` line, verbatim.
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

export function eventLogCollection(connection: Connection): mongo.Collection<EventLogDocument> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  return db.collection<EventLogDocument>(EVENT_LOG_COLLECTION);
}

/**
 * Creates the log (a plain collection: trimmed by EventLogTrimmer, never capped) and its
 * (companyId, _id) replay index. A log left by an older version (capped, or keyed by padded
 * text) is refused with the one-line fix, as it only ever holds real-time history.
 */
export async function ensureEventLog(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  const existing = await db.listCollections({ name: EVENT_LOG_COLLECTION }, { nameOnly: false }).toArray();
  const collection = db.collection<EventLogDocument>(EVENT_LOG_COLLECTION);
  if (existing.length === 0) {
    try {
      await db.createCollection(EVENT_LOG_COLLECTION);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 48) throw error; // NamespaceExists: another instance made it
    }
  } else {
    const options = (existing[0] as { options?: { capped?: boolean } }).options;
    const [newest] = await collection.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray();
    if (options?.capped === true || (newest !== undefined && typeof newest._id !== 'number')) {
      throw new Error(
        `collection ${EVENT_LOG_COLLECTION} was made by an older Zapdesk (capped, or text keys): drop it ` +
          '(it only holds real-time history; clients reconnecting get stream.reset) and restart',
      );
    }
  }
  await collection.createIndex({ companyId: 1, _id: 1 }, { name: 'event_log_company_seq' });
}
