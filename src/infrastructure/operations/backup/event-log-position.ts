import { Connection } from 'mongoose';
import { EVENT_LOG_COLLECTION } from '../../persistence/mongoose/event-log/event-log.collection';

/** Sequence number of the newest real-time event (0 when the log is empty or absent). */
export async function eventLogPosition(connection: Connection): Promise<number> {
  const [newest] = await connection.db!.collection<{ _id: number }>(EVENT_LOG_COLLECTION).find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray();
  return typeof newest?._id === 'number' ? newest._id : 0;
}
