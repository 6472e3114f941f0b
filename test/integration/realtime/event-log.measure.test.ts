import { performance } from 'node:perf_hooks';
import { RealtimeEvent } from '../../../src/application/realtime/realtime-event';
import { ensureEventLog, eventLogCollection, eventLogKey } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.collection';
import { eventLogHead } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.head';
import { EventLogReader } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.reader';
import { MongooseEventLog } from '../../../src/infrastructure/persistence/mongoose/event-log/mongoose-event-log';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

/**
 * Costs of the event log's access paths on the test database server, at growing log sizes.
 * Not part of the normal run (timings are no test): `EVENT_LOG_MEASURE=1 npx jest
 * test/integration/realtime/event-log.measure.test.ts`. Figures go to docs/adr/0002.
 */
const measuring = process.env.EVENT_LOG_MEASURE === '1';
const describeMeasure = measuring ? describe : describe.skip;
const SIZES = (process.env.EVENT_LOG_MEASURE_SIZES ?? '2000,10000,40000').split(',').map(Number);

jest.setTimeout(30 * 60_000);

let db: TestDatabase;
beforeAll(async () => {
  if (!measuring) return;
  db = await connectTestDatabase();
  await ensureEventLog(db.connection, 1024 * 1024 * 1024);
});
afterAll(async () => {
  if (measuring) await db.dropAndClose();
});

/** ~700 bytes of JSON, like a message view. */
function event(n: number): RealtimeEvent {
  return { companyId: `company-${n % 7}`, name: 'message.created', payload: { n, body: 'x'.repeat(600), at: new Date(0).toISOString() }, audience: null };
}

async function meanMs(times: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  for (let i = 0; i < times; i++) await run(i);
  return (performance.now() - startedAt) / times;
}

describeMeasure('event log access costs (measurement, EVENT_LOG_MEASURE=1)', () => {
  it('per size: append, idle probe, probe window, newest/oldest search; and the range reads they replace', async () => {
    const collection = eventLogCollection(db.connection);
    const log = new MongooseEventLog(collection, eventLogHead(db.connection));
    const reader = new EventLogReader(collection, eventLogHead(db.connection));
    const rows: Record<string, string | number>[] = [];
    let stored = 0;
    for (const size of SIZES) {
      while (stored < size) {
        const batch = Math.min(1000, size - stored);
        await log.append(Array.from({ length: batch }, (_, i) => event(stored + i)));
        stored += batch;
      }
      expect(await reader.newestSeq()).toBe(stored);
      let lookups = 0;
      const counting = new EventLogReader(collection, eventLogHead(db.connection));
      const has = counting.has.bind(counting);
      counting.has = (seq) => ((lookups += 1), has(seq));
      rows.push({
        entries: stored,
        'append 1 event (ms)': (await meanMs(50, (i) => log.append([event(stored + i)]))).toFixed(2),
        'idle probe: 1 missing _id (ms)': (await meanMs(50, () => reader.readRun(stored + 1000, 1))).toFixed(2),
        // New entries are the newest: FerretDB's _id lookup scans in insertion order, so these cost the most.
        'probe window 16 newest (ms)': (await meanMs(10, () => reader.readRun(stored - 15, 16))).toFixed(2),
        'oldest: find().limit(1) (ms)': (await meanMs(20, () => reader.oldestSeq())).toFixed(2),
        'newestSeq() (ms)': (await meanMs(5, () => counting.newestSeq())).toFixed(1),
        'newestSeq lookups': lookups / 5,
        'old: find _id $gt newest (ms)': (await meanMs(5, () => collection.find({ _id: { $gt: eventLogKey(stored + 50) } }).toArray())).toFixed(1),
        'old: sort _id desc limit 1 (ms)': (await meanMs(5, () => collection.find({}).sort({ _id: -1 }).limit(1).toArray())).toFixed(1),
      });
      stored += 50;
    }
    console.table(rows);
  });
});
