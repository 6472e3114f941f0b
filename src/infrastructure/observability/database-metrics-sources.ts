import { Connection } from 'mongoose';
import { DELIVERY_QUEUE_COLLECTION } from '../persistence/mongoose/delivery/delivery-queue';
import { EventLogReader } from '../persistence/mongoose/event-log/event-log.reader';
import { MetricsSources } from './service-metrics';

export interface LiveSources {
  readonly sseSubscribers: () => number;
  /** The tailer's position (null before it knows where it starts). */
  readonly tailPosition: () => number | null;
  readonly eventLog: EventLogReader;
}

/**
 * The gauges' reads. Each is one count of a small collection (the inbox and the delivery
 * queue hold only work not done yet; integrations are a few per company) or one read by `_id`:
 * a scrape stays cheap however much history the database holds.
 */
export function databaseMetricsSources(connection: Connection, live: LiveSources): MetricsSources {
  const db = () => {
    if (!connection.db) throw new Error('database connection is not open');
    return connection.db;
  };
  const readInbox = async () => {
    const inbox = db().collection<{ acceptedAt: Date }>('inbound_inbox');
    const depth = await inbox.countDocuments({});
    if (depth === 0) return { depth, oldestAcceptedAt: null };
    const [oldest] = await inbox.find({}, { projection: { acceptedAt: 1 }, sort: { acceptedAt: 1 }, limit: 1 }).toArray();
    return { depth, oldestAcceptedAt: oldest ? new Date(oldest.acceptedAt) : null };
  };
  // Two gauges (depth, lag) read the inbox in one scrape: they share one read.
  let inboxRead: Promise<Awaited<ReturnType<typeof readInbox>>> | null = null;
  return {
    inbox() {
      if (inboxRead) return inboxRead;
      const read = readInbox();
      inboxRead = read;
      void read.then(
        () => (inboxRead = null),
        () => (inboxRead = null),
      );
      return read;
    },
    deliveryQueueDepth: () => db().collection(DELIVERY_QUEUE_COLLECTION).countDocuments({}),
    async integrationsByStatus() {
      const groups = await db()
        .collection('integrations')
        .aggregate<{ _id: string; count: number }>([{ $group: { _id: '$status', count: { $sum: 1 } } }])
        .toArray();
      return Object.fromEntries(groups.map((group) => [String(group._id), group.count]));
    },
    sseSubscribers: live.sseSubscribers,
    async eventLogTailLag() {
      const position = live.tailPosition();
      if (position === null) return null;
      return Math.max(0, (await live.eventLog.newestSeq()) - position);
    },
  };
}
