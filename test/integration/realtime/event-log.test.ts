import { EventEmitter } from 'node:events';
import { Connection, createConnection, mongo } from 'mongoose';
import { RealtimeEvent } from '../../../src/application/realtime/realtime-event';
import { ensureEventLog, EventLogDocument, eventLogCollection, eventLogKey } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.collection';
import { eventLogHead } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.head';
import { EventLogReader, LoggedEvent } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.reader';
import { MongooseEventLog } from '../../../src/infrastructure/persistence/mongoose/event-log/mongoose-event-log';
import { EventLogTailer } from '../../../src/infrastructure/realtime/event-log-tailer';
import { companyEventName, EVENTS_LOST } from '../../../src/infrastructure/realtime/live-events';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

jest.setTimeout(60_000);

let db: TestDatabase;
const extra: Connection[] = [];
const scratchDatabases: Connection[] = [];

beforeAll(async () => {
  db = await connectTestDatabase();
  await ensureEventLog(db.connection, 8 * 1024 * 1024);
});
afterAll(async () => {
  for (const scratch of scratchDatabases) await scratch.dropDatabase();
  for (const connection of extra) await connection.close();
  await db.dropAndClose();
});

/** Another "instance": its own connection pool and its own appender. */
async function instance(): Promise<{ connection: Connection; log: MongooseEventLog }> {
  const connection = await createConnection(db.uri).asPromise();
  extra.push(connection);
  return { connection, log: new MongooseEventLog(eventLogCollection(connection), eventLogHead(connection)) };
}

/** A database of its own on the same server (dropped after the file), for tests that need a log of their own. */
function scratchDatabase(name: string): Connection {
  const scratch = db.connection.useDb(`${db.connection.name}_${name}`.slice(0, 60));
  scratchDatabases.push(scratch);
  return scratch;
}

function event(companyId: string, payload: object): RealtimeEvent {
  return { companyId, name: 'ticket.updated', payload, audience: null };
}

async function allEntries(): Promise<EventLogDocument[]> {
  return eventLogCollection(db.connection).find({}).sort({ _id: 1 }).toArray();
}

interface RecordedCall {
  readonly method: string;
  readonly args: unknown[];
}

/** The collection with every method call recorded (reads, writes, cursors), in call order. */
function recording(collection: mongo.Collection<EventLogDocument>): { collection: mongo.Collection<EventLogDocument>; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const proxy = new Proxy(collection, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push({ method: property, args });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { collection: proxy, calls };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('event log on the real database', () => {
  it('ensureEventLog is idempotent and makes a capped collection', async () => {
    await ensureEventLog(db.connection, 8 * 1024 * 1024);
    expect(await eventLogCollection(db.connection).isCapped()).toBe(true);
  });

  it('ensureEventLog refuses a log of the older format (numeric _id) with a clear message', async () => {
    const scratch = scratchDatabase('legacy');
    await ensureEventLog(scratch, 1024 * 1024);
    await scratch.db!.collection('event_log').insertOne({ _id: 1 as never, companyId: 'acme' });
    await expect(ensureEventLog(scratch, 1024 * 1024)).rejects.toThrow(/older format: drop it/);
  });

  it('stores the sequence number as `seq` and as a zero-padded string `_id` that sorts like it', async () => {
    expect(eventLogKey(42)).toBe('000000000000042');
    expect(() => eventLogKey(-1)).toThrow(RangeError);
    expect(() => eventLogKey(1.5)).toThrow(RangeError);
    const log = new MongooseEventLog(eventLogCollection(db.connection), eventLogHead(db.connection));
    await log.append([event('acme', { i: 1 }), event('acme', { i: 2 })]);
    for (const entry of (await allEntries()).slice(-2)) {
      expect(typeof entry.seq).toBe('number');
      expect(entry._id).toBe(eventLogKey(entry.seq));
    }
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
    const seqs = entries.map((e) => e.seq);
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

  it('the appender writes each batch to the log with exactly one insertMany, then advances the head; reads only by _id, the unfiltered oldest and the collection count', async () => {
    const { collection, calls } = recording(eventLogCollection(db.connection));
    const log = new MongooseEventLog(collection, eventLogHead(db.connection));
    await log.append([event('acme', { warm: true })]); // the first batch searches for the newest seq
    const search = calls.splice(0);
    // Reads: the oldest entry, the $collStats count, `_id` lookups; one write.
    expect(search.filter((c) => !['find', 'findOne', 'aggregate'].includes(c.method)).map((c) => c.method)).toEqual(['insertMany']);
    for (const { method, args } of search) {
      if (method === 'aggregate') expect(args[0]).toEqual([{ $collStats: { count: {} } }]);
      if (method === 'findOne') expect(Object.keys(args[0] as object)).toEqual(['_id']);
      if (method === 'find') expect(args[0]).toEqual({});
    }

    // One insert in flight, the next four appends queue behind it: two batches.
    await Promise.all([1, 2, 3, 4, 5].map((n) => log.append([event('acme', { n })])));
    expect(calls.map((c) => c.method)).toEqual(['insertMany', 'insertMany']);
    expect(calls.map((c) => (c.args[0] as unknown[]).length)).toEqual([1, 4]);
    const newest = (await allEntries()).slice(-5);
    expect(newest.map((e) => JSON.parse(e.payload).n)).toEqual([1, 2, 3, 4, 5]);
    expect(await eventLogHead(db.connection).read()).toBe(newest.at(-1)!.seq);
  });

  it('payload keys FerretDB refuses as document keys survive as JSON text', async () => {
    const log = new MongooseEventLog(eventLogCollection(db.connection), eventLogHead(db.connection));
    await log.append([event('acme', { 'a.b': 1, $c: { 'd.e': [1, 2] } })]);
    const [doc] = (await allEntries()).slice(-1);
    expect(JSON.parse(doc!.payload)).toEqual({ 'a.b': 1, $c: { 'd.e': [1, 2] } });
  });

  it('newestSeq finds the newest entry by _id lookups, also from a stored starting point', async () => {
    const reader = new EventLogReader(eventLogCollection(db.connection), eventLogHead(db.connection));
    const newest = (await allEntries()).at(-1)!.seq;
    expect(await reader.newestSeq()).toBe(newest);
    expect(await reader.newestSeq(newest - 3)).toBe(newest);
    expect(await reader.readRun(newest - 1, 5)).toHaveLength(2);
  });

  it('the probing tailer emits every entry exactly once, in sequence order, with two instances appending concurrently — and never runs a filtered query after its first read', async () => {
    const bus = new EventEmitter();
    const seen: LoggedEvent[] = [];
    for (const company of ['acme', 'globex']) bus.on(companyEventName(company), (e: LoggedEvent) => seen.push(e));
    const errors: unknown[] = [];
    const { collection, calls } = recording(eventLogCollection(db.connection));
    const tailer = new EventLogTailer(new EventLogReader(collection, eventLogHead(db.connection)), bus, { pollIntervalMs: 20, probeWindow: 8 }, (e) => errors.push(e));
    tailer.start();
    const start = await tailer.positioned;
    const [one, two] = [await instance(), await instance()];
    // Single appends interleaved across instances, then bursts longer than the probe window.
    await Promise.all(Array.from({ length: 30 }, (_, n) => (n % 2 ? one.log : two.log).append([event(n % 3 ? 'acme' : 'globex', { n })])));
    await Promise.all([one.log, two.log].map((log, i) => log.append(Array.from({ length: 25 }, (_, k) => event('acme', { burst: i, k })))));
    await until(() => seen.length >= 80);
    await new Promise((r) => setTimeout(r, 100)); // a little longer: nothing more may come
    await tailer.stop();
    expect(errors).toEqual([]);
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => start + 1 + i));
    expect(tailer.position).toBe(start + 80);

    // After the start (newest search, one tailable read that showed the server does not
    // await), only `_id` lookups and the unfiltered oldest-entry read: no scans.
    const firstFilteredFind = calls.findIndex((c) => c.method === 'find' && Object.keys(c.args[0] as object).length > 0);
    const afterStart = calls.slice(firstFilteredFind + 1);
    expect(afterStart.length).toBeGreaterThan(0);
    for (const { method, args } of afterStart) {
      expect(['findOne', 'find']).toContain(method);
      if (method === 'findOne') expect(Object.keys(args[0] as object)).toEqual(['_id']);
      else expect(args[0]).toEqual({});
    }
  });

  it('a quiet log is not read: the tailer polls the head, looks past it about once a second, and the next entry arrives promptly', async () => {
    const bus = new EventEmitter();
    const seen: LoggedEvent[] = [];
    bus.on(companyEventName('quiet'), (e: LoggedEvent) => seen.push(e));
    const { collection, calls } = recording(eventLogCollection(db.connection));
    const tailer = new EventLogTailer(new EventLogReader(collection, eventLogHead(db.connection)), bus, { pollIntervalMs: 20, pastHeadCheckMs: 500 }, () => undefined);
    tailer.start();
    await tailer.positioned;
    await new Promise((r) => setTimeout(r, 300)); // past the start-up reads
    calls.splice(0);
    await new Promise((r) => setTimeout(r, 1000));
    // Polling the log itself every 20 ms would be ~50 lookups; only the looks past the head remain.
    expect(calls.filter((c) => c.method === 'findOne').length).toBeLessThanOrEqual(3);
    const { log } = await instance();
    await log.append([event('quiet', { wake: true })]);
    const appendedAt = Date.now();
    await until(() => seen.length === 1);
    expect(Date.now() - appendedAt).toBeLessThan(1000);
    await tailer.stop();
  });

  it('a head left behind (an appender died before advancing it) delays entries by at most a look past it, and reads no entry twice', async () => {
    const bus = new EventEmitter();
    const seen: number[] = [];
    bus.on(companyEventName('behind'), (e: LoggedEvent) => seen.push(e.seq));
    const head = eventLogHead(db.connection);
    const tailer = new EventLogTailer(new EventLogReader(eventLogCollection(db.connection), head), bus, { pollIntervalMs: 20, pastHeadCheckMs: 300 }, () => undefined);
    tailer.start();
    const start = await tailer.positioned;
    // An appender whose head write fails: its entries are stored, the head does not move.
    const failingHead = Object.assign(Object.create(head) as typeof head, { advance: () => Promise.reject(new Error('head write lost')) });
    const headErrors: unknown[] = [];
    const crippled = new MongooseEventLog(eventLogCollection(db.connection), failingHead, { reportError: (e) => headErrors.push(e) });
    await crippled.append([event('behind', { n: 1 }), event('behind', { n: 2 })]);
    expect(headErrors).toHaveLength(1); // reported, and the append itself succeeded
    expect(await head.read()).toBe(start);
    const appendedAt = Date.now();
    await until(() => seen.length === 2);
    expect(Date.now() - appendedAt).toBeLessThan(1500);
    // A healthy append moves the head past them: they are not emitted again.
    const { log } = await instance();
    await log.append([event('behind', { n: 3 })]);
    await until(() => seen.length === 3);
    await new Promise((r) => setTimeout(r, 400));
    await tailer.stop();
    expect(seen).toEqual([start + 1, start + 2, start + 3]);
  });

  it('entries appended by this instance reach its own tailer from memory; only other instances\' entries are read from the log', async () => {
    const bus = new EventEmitter();
    const seen: LoggedEvent[] = [];
    bus.on(companyEventName('local'), (e: LoggedEvent) => seen.push(e));
    const { collection, calls } = recording(eventLogCollection(db.connection));
    const reader = new EventLogReader(collection, eventLogHead(db.connection));
    const local = new MongooseEventLog(eventLogCollection(db.connection), eventLogHead(db.connection), { onStored: (docs) => reader.remember(docs) });
    const tailer = new EventLogTailer(reader, bus, { pollIntervalMs: 20, pastHeadCheckMs: 60_000 }, () => undefined);
    tailer.start();
    const start = await tailer.positioned;
    await new Promise((r) => setTimeout(r, 100)); // past the start-up reads
    calls.splice(0);
    await local.append(Array.from({ length: 5 }, (_, i) => event('local', { here: i })));
    const { log: elsewhere } = await instance();
    await elsewhere.append([event('local', { elsewhere: true })]);
    await local.append([event('local', { here: 5 })]);
    await until(() => seen.length === 7);
    await tailer.stop();
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 7 }, (_, i) => start + 1 + i));
    expect(seen.map((e) => JSON.parse(e.data))).toEqual([{ here: 0 }, { here: 1 }, { here: 2 }, { here: 3 }, { here: 4 }, { elsewhere: true }, { here: 5 }]);
    const lookedUp = calls.filter((c) => c.method === 'findOne').map((c) => (c.args[0] as { _id: string })._id);
    expect(lookedUp).toEqual([eventLogKey(start + 6)]);
  });

  it('a log created anew forgets the head of a dropped one', async () => {
    const scratch = scratchDatabase('renew');
    await ensureEventLog(scratch, 1024 * 1024);
    await new MongooseEventLog(eventLogCollection(scratch), eventLogHead(scratch)).append([event('renew', { i: 1 }), event('renew', { i: 2 })]);
    expect(await eventLogHead(scratch).read()).toBe(2);
    await eventLogCollection(scratch).drop();
    await ensureEventLog(scratch, 1024 * 1024);
    expect(await eventLogHead(scratch).read()).toBeNull();
  });

  it('a head pointing past the log (the log dropped under a running service) is reported once and then ignored; entries still arrive', async () => {
    const scratch = scratchDatabase('foreign-head');
    await ensureEventLog(scratch, 1024 * 1024);
    const head = eventLogHead(scratch);
    const log = new MongooseEventLog(eventLogCollection(scratch), head);
    await log.append([event('foreign', { n: 1 })]);
    const { collection, calls } = recording(eventLogCollection(scratch));
    const bus = new EventEmitter();
    const seen: number[] = [];
    bus.on(companyEventName('foreign'), (e: LoggedEvent) => seen.push(e.seq));
    const errors: Error[] = [];
    const tailer = new EventLogTailer(new EventLogReader(collection, head), bus, { pollIntervalMs: 20, pastHeadCheckMs: 200 }, (e) => errors.push(e as Error));
    tailer.start();
    expect(await tailer.positioned).toBe(1);
    await head.advance(500); // left by a log that was dropped
    await until(() => errors.length > 0);
    calls.splice(0);
    await new Promise((r) => setTimeout(r, 600));
    // Not a lookup every 20 ms poll: only the looks past the head, every 200 ms.
    expect(calls.filter((c) => c.method === 'findOne').length).toBeLessThanOrEqual(5);
    await log.append([event('foreign', { n: 2 }), event('foreign', { n: 3 })]);
    await until(() => seen.length === 2);
    await tailer.stop();
    expect(seen).toEqual([2, 3]);
    expect(errors.map((e) => e.message)).toEqual(['event log: the head (500) points past entry 2, which was never stored; was the log dropped while running?']);
  });

  it('a tailer whose next entry was rolled out signals the loss once and continues from the oldest entry', async () => {
    // A log of its own, where "rolled out" is made exact by deleting the oldest entries
    // (FerretDB trims capped collections in the background, at moments of its own).
    const scratch = scratchDatabase('rollover');
    await ensureEventLog(scratch, 1024 * 1024);
    const collection = eventLogCollection(scratch);
    const log = new MongooseEventLog(collection, eventLogHead(scratch));
    await log.append([event('roll', { before: 1 }), event('roll', { before: 2 })]);

    // The tailer falls behind: its probes wait at a gate.
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let probing: () => void = () => undefined;
    const isProbing = new Promise<void>((resolve) => (probing = resolve));
    class GatedReader extends EventLogReader {
      override async readRun(first: number, count: number): Promise<EventLogDocument[]> {
        probing();
        await gate;
        return super.readRun(first, count);
      }
    }
    const bus = new EventEmitter();
    const seen: number[] = [];
    const lost: unknown[] = [];
    const errors: Error[] = [];
    bus.on(companyEventName('roll'), (e: LoggedEvent) => seen.push(e.seq));
    bus.on(EVENTS_LOST, (range: unknown) => lost.push(range));
    const tailer = new EventLogTailer(new GatedReader(collection, eventLogHead(scratch)), bus, { pollIntervalMs: 20, rolloverCheckMs: 200 }, (e) => errors.push(e as Error));
    tailer.start();
    expect(await tailer.positioned).toBe(2);
    await isProbing;

    await log.append(Array.from({ length: 10 }, (_, k) => event('roll', { k })));
    await collection.deleteMany({ seq: { $lte: 6 } }); // 3..6 dropped before the tailer read them
    openGate();
    await until(() => seen.length >= 6);
    await new Promise((r) => setTimeout(r, 300)); // past another rollover check: no second signal
    await tailer.stop();

    expect(lost).toEqual([{ from: 3, to: 6 }]);
    expect(errors.map((e) => e.message)).toEqual(['event log: entries 3..6 were dropped before this instance read them']);
    expect(seen).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it('replay: one company’s entries after an id, in order, paged', async () => {
    const log = new MongooseEventLog(eventLogCollection(db.connection), eventLogHead(db.connection));
    const reader = new EventLogReader(eventLogCollection(db.connection), eventLogHead(db.connection));
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
