import { EventEmitter } from 'node:events';
import { Connection, createConnection } from 'mongoose';
import { RealtimeEvent } from '../../../src/application/realtime/realtime-event';
import { ensureEventLog, eventLogCollection, eventLogHeadCollection } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.collection';
import { EventLogReader, LoggedEvent } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.reader';
import { MongooseEventLog } from '../../../src/infrastructure/persistence/mongoose/event-log/mongoose-event-log';
import { EventLogTailer } from '../../../src/infrastructure/realtime/event-log-tailer';
import { companyEventName } from '../../../src/infrastructure/realtime/live-events';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

jest.setTimeout(60_000);

let db: TestDatabase;
const extra: Connection[] = [];

beforeAll(async () => {
  db = await connectTestDatabase();
  await ensureEventLog(db.connection, 8 * 1024 * 1024);
});
afterAll(async () => {
  for (const connection of extra) await connection.close();
  await db.dropAndClose();
});

/** Another "instance": its own connection pool and its own appender. */
async function instance(): Promise<{ connection: Connection; log: MongooseEventLog }> {
  const connection = await createConnection(db.uri).asPromise();
  extra.push(connection);
  return { connection, log: new MongooseEventLog(eventLogCollection(connection), eventLogHeadCollection(connection)) };
}

function event(companyId: string, payload: object): RealtimeEvent {
  return { companyId, name: 'ticket.updated', payload, audience: null };
}

async function allEntries(): Promise<Array<{ _id: number; companyId: string; payload: string }>> {
  return eventLogCollection(db.connection).find({}).sort({ _id: 1 }).toArray();
}

describe('event log on the real database', () => {
  it('ensureEventLog is idempotent and makes a capped collection', async () => {
    await ensureEventLog(db.connection, 8 * 1024 * 1024);
    expect(await eventLogCollection(db.connection).isCapped()).toBe(true);
  });

  it('two instances appending concurrently get unique, gap-free sequence numbers; each keeps its own order', async () => {
    const before = (await allEntries()).length;
    const [one, two] = [await instance(), await instance()];
    const appends: Promise<void>[] = [];
    for (let n = 0; n < 40; n++) {
      for (const [name, log] of [['one', one.log], ['two', two.log]] as const) {
        const size = 1 + (n % 3);
        appends.push(log.append(Array.from({ length: size }, (_, k) => event(n % 2 ? 'acme' : 'globex', { from: name, n, k }))));
      }
    }
    await Promise.all(appends);

    const entries = (await allEntries()).slice(before);
    const expected = 2 * Array.from({ length: 40 }, (_, n) => 1 + (n % 3)).reduce((a, b) => a + b, 0);
    expect(entries).toHaveLength(expected);
    const seqs = entries.map((e) => e._id);
    expect(seqs).toEqual(seqs.map((_, i) => before + 1 + i));
    for (const name of ['one', 'two']) {
      const own = entries.map((e) => JSON.parse(e.payload) as { from: string; n: number; k: number }).filter((p) => p.from === name);
      const order = own.map((p) => p.n * 10 + p.k);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('an append racing a stale sequence cache retries after the winner instead of failing', async () => {
    const [one, two] = [await instance(), await instance()];
    await one.log.append([event('acme', { warm: 1 })]);
    await two.log.append([event('acme', { warm: 2 })]); // one's cached next seq is now taken
    await one.log.append([event('acme', { after: 'race' }), event('acme', { after: 'race2' })]);
    const last = (await allEntries()).slice(-3).map((e) => JSON.parse(e.payload));
    expect(last).toEqual([{ warm: 2 }, { after: 'race' }, { after: 'race2' }]);
  });

  it('payload keys FerretDB refuses as document keys survive as JSON text', async () => {
    const log = new MongooseEventLog(eventLogCollection(db.connection));
    await log.append([event('acme', { 'a.b': 1, $c: { 'd.e': [1, 2] } })]);
    const [doc] = (await allEntries()).slice(-1);
    expect(JSON.parse(doc!.payload)).toEqual({ 'a.b': 1, $c: { 'd.e': [1, 2] } });
  });

  it('the tailer emits every entry exactly once, in sequence order, under its company event', async () => {
    const bus = new EventEmitter();
    const seen: LoggedEvent[] = [];
    for (const company of ['acme', 'globex']) bus.on(companyEventName(company), (e: LoggedEvent) => seen.push(e));
    const errors: unknown[] = [];
    const reader = new EventLogReader(eventLogCollection(db.connection), eventLogHeadCollection(db.connection));
    const tailer = new EventLogTailer(reader, bus, { pollIntervalMs: 20, fullReadEveryMs: 60_000 }, (e) => errors.push(e));
    tailer.start();
    const start = await tailer.positioned;
    const [one, two] = [await instance(), await instance()];
    await Promise.all(Array.from({ length: 30 }, (_, n) => (n % 2 ? one.log : two.log).append([event(n % 3 ? 'acme' : 'globex', { n })])));
    const deadline = Date.now() + 10_000;
    while (seen.length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // a little longer: nothing more may come
    await tailer.stop();
    expect(errors).toEqual([]);
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => start + 1 + i));
    expect(tailer.position).toBe(start + 30);
  });

  it('without a head hint (lost), the periodic full read still delivers every entry', async () => {
    const bus = new EventEmitter();
    const seen: number[] = [];
    bus.on(companyEventName('hintless'), (e: LoggedEvent) => seen.push(e.seq));
    const reader = new EventLogReader(eventLogCollection(db.connection), eventLogHeadCollection(db.connection));
    const tailer = new EventLogTailer(reader, bus, { pollIntervalMs: 20, fullReadEveryMs: 300 }, () => undefined);
    tailer.start();
    const start = await tailer.positioned;
    await new Promise((r) => setTimeout(r, 100)); // the tailer has found out FerretDB polls
    const hintless = new MongooseEventLog(eventLogCollection(db.connection)); // writes no hint
    await hintless.append([event('hintless', { a: 1 }), event('hintless', { a: 2 })]);
    const deadline = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await tailer.stop();
    expect(seen).toEqual([start + 1, start + 2]);
  });

  it('replay: one company’s entries after an id, in order, paged', async () => {
    const log = new MongooseEventLog(eventLogCollection(db.connection));
    const reader = new EventLogReader(eventLogCollection(db.connection));
    const from = await reader.newestSeq();
    await log.append([event('replay-co', { i: 1 }), event('other-co', { i: 2 }), event('replay-co', { i: 3 })]);
    await log.append([event('replay-co', { i: 4 })]);
    const page1 = await reader.readCompanyAfter('replay-co', from, 2);
    const page2 = await reader.readCompanyAfter('replay-co', page1[1]!.seq, 2);
    expect([...page1, ...page2].map((e) => JSON.parse(e.data).i)).toEqual([1, 3, 4]);
    expect(page1.map((e) => e.seq)).toEqual([from + 1, from + 3]);
    expect(await reader.oldestSeq()).toBe(1);
    expect(await reader.newestSeq()).toBe(from + 4);
  });
});
