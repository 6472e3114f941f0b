import { EventEmitter } from 'node:events';
import { Connection, createConnection, mongo } from 'mongoose';
import { RealtimeEvent } from '../../../src/application/realtime/realtime-event';
import { ensureEventLog, EventLogDocument, eventLogCollection } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.collection';
import { EventLogTrimmer } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log-trimmer';
import { EventLogReader, LoggedEvent } from '../../../src/infrastructure/persistence/mongoose/event-log/event-log.reader';
import { MongooseEventLog } from '../../../src/infrastructure/persistence/mongoose/event-log/mongoose-event-log';
import { EventLogTailer, EventLogTailMode } from '../../../src/infrastructure/realtime/event-log-tailer';
import { companyEventName, EVENTS_LOST } from '../../../src/infrastructure/realtime/live-events';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

jest.setTimeout(60_000);

let db: TestDatabase;
const extra: Connection[] = [];
const scratchDatabases: Connection[] = [];

beforeAll(async () => {
  db = await connectTestDatabase();
  await ensureEventLog(db.connection);
});
afterAll(async () => {
  for (const scratch of scratchDatabases) await scratch.dropDatabase();
  for (const connection of extra) await connection.close();
  await db.dropAndClose();
});

/** A database of its own on the same server (dropped after the file), for tests that need a log of their own. */
async function scratchLog(name: string): Promise<Connection> {
  const scratch = db.connection.useDb(`${db.connection.name}_${name}`.slice(0, 60));
  scratchDatabases.push(scratch);
  await ensureEventLog(scratch);
  return scratch;
}

/** Another "instance": its own connection pool and its own appender, on `dbName`. */
async function instance(dbName = db.connection.name): Promise<{ connection: Connection; log: MongooseEventLog; reader: EventLogReader }> {
  const connection = await createConnection(db.uri, { dbName }).asPromise();
  extra.push(connection);
  const reader = new EventLogReader(eventLogCollection(connection));
  return { connection, reader, log: new MongooseEventLog(eventLogCollection(connection), reader) };
}

function event(companyId: string, payload: object): RealtimeEvent {
  return { companyId, name: 'ticket.updated', payload, audience: null };
}

async function entriesOf(connection: Connection): Promise<EventLogDocument[]> {
  return eventLogCollection(connection).find({}).sort({ _id: 1 }).toArray();
}

/** The collection with every method call recorded, in call order. */
function recording(collection: mongo.Collection<EventLogDocument>): { collection: mongo.Collection<EventLogDocument>; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(collection, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(property);
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

/** A tailer on `connection`'s log with what it emitted, in order. */
function tailerOn(connection: Connection, mode: EventLogTailMode, collection = eventLogCollection(connection), startAfter?: number) {
  const bus = new EventEmitter();
  const seen: LoggedEvent[] = [];
  const lost: Array<{ from: number; to: number }> = [];
  const errors: Error[] = [];
  const notes: string[] = [];
  const reader = new EventLogReader(collection);
  const tailer = new EventLogTailer(reader, bus, { mode, pollIntervalMs: 20, ...(startAfter !== undefined ? { startAfter } : {}) }, (e) => errors.push(e as Error), (n) => notes.push(n));
  bus.on(EVENTS_LOST, (range: { from: number; to: number }) => lost.push(range));
  const follow = (companyId: string): void => {
    bus.on(companyEventName(companyId), (e: LoggedEvent) => seen.push(e));
  };
  return { tailer, seen, lost, errors, notes, follow };
}

describe('event log on the real database', () => {
  it('is a plain collection (never capped), made idempotently', async () => {
    await ensureEventLog(db.connection);
    expect(await eventLogCollection(db.connection).isCapped()).toBe(false);
  });

  it('refuses a log left by an older version (text keys) with the fix in the message', async () => {
    const scratch = await scratchLog('legacy');
    await scratch.db!.collection('event_log').insertOne({ _id: '000000000000001' as never, companyId: 'acme' });
    await expect(ensureEventLog(scratch)).rejects.toThrow(/older Zapdesk.*drop it/);
  });

  it('two instances appending concurrently get unique, gap-free sequence numbers; each keeps its own order', async () => {
    const scratch = await scratchLog('concurrent');
    const [one, two] = [await instance(scratch.name), await instance(scratch.name)];
    const appends: Promise<void>[] = [];
    for (let n = 0; n < 40; n++) {
      for (const [name, log] of [['one', one.log], ['two', two.log]] as const) {
        const size = 1 + (n % 3);
        appends.push(log.append(Array.from({ length: size }, (_, k) => event(n % 2 ? 'acme' : 'globex', { from: name, n, k }))));
      }
    }
    await Promise.all(appends);

    const entries = await entriesOf(scratch);
    const expected = 2 * Array.from({ length: 40 }, (_, n) => 1 + (n % 3)).reduce((a, b) => a + b, 0);
    expect(entries.map((e) => e._id)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    for (const name of ['one', 'two']) {
      const own = entries.map((e) => JSON.parse(e.payload) as { from: string; n: number; k: number }).filter((p) => p.from === name);
      const order = own.map((p) => p.n * 10 + p.k);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('an append racing a stale sequence cache retries after the winner instead of failing', async () => {
    const scratch = await scratchLog('race');
    const [one, two] = [await instance(scratch.name), await instance(scratch.name)];
    await one.log.append([event('acme', { warm: 1 })]);
    await two.log.append([event('acme', { warm: 2 })]); // one's cached next number is now taken
    await one.log.append([event('acme', { after: 'race' }), event('acme', { after: 'race2' })]);
    const entries = await entriesOf(scratch);
    expect(entries.map((e) => [e._id, JSON.parse(e.payload)])).toEqual([
      [1, { warm: 1 }],
      [2, { warm: 2 }],
      [3, { after: 'race' }],
      [4, { after: 'race2' }],
    ]);
  });

  it('writes each batch with exactly one insertMany; appends queued behind one in flight share the next', async () => {
    const scratch = await scratchLog('batches');
    const { collection, calls } = recording(eventLogCollection(scratch));
    const log = new MongooseEventLog(collection, new EventLogReader(eventLogCollection(scratch)));
    await log.append([event('acme', { warm: true })]);
    expect(calls).toEqual(['insertMany']);
    calls.splice(0);
    await Promise.all([1, 2, 3, 4, 5].map((n) => log.append([event('acme', { n })])));
    expect(calls).toEqual(['insertMany', 'insertMany']);
    expect((await entriesOf(scratch)).slice(-5).map((e) => JSON.parse(e.payload).n)).toEqual([1, 2, 3, 4, 5]);
  });

  it('payload keys with dots and dollars survive as JSON text', async () => {
    const scratch = await scratchLog('keys');
    const { log } = await instance(scratch.name);
    await log.append([event('acme', { 'a.b': 1, $c: { 'd.e': [1, 2] } })]);
    const [doc] = await entriesOf(scratch);
    expect(JSON.parse(doc!.payload)).toEqual({ 'a.b': 1, $c: { 'd.e': [1, 2] } });
  });

  it('replay: one company’s entries after an id, in order, paged', async () => {
    const scratch = await scratchLog('replay');
    const { log, reader } = await instance(scratch.name);
    await log.append([event('replay-co', { i: 1 }), event('other-co', { i: 2 }), event('replay-co', { i: 3 })]);
    await log.append([event('replay-co', { i: 4 })]);
    const page1 = await reader.readCompanyAfter('replay-co', 0, 2);
    const page2 = await reader.readCompanyAfter('replay-co', page1[1]!.seq, 2);
    expect([...page1, ...page2].map((e) => JSON.parse(e.data).i)).toEqual([1, 3, 4]);
    expect(page1.map((e) => e.seq)).toEqual([1, 3]);
    expect(await reader.oldestSeq()).toBe(1);
    expect(await reader.newestSeq()).toBe(4);
  });
});

describe('trimming', () => {
  it('keeps the newest entries up to the limit, always as a prefix cut, never the newest', async () => {
    const scratch = await scratchLog('trim_count');
    const { log, reader } = await instance(scratch.name);
    for (let i = 0; i < 5; i++) await log.append(Array.from({ length: 4 }, (_, k) => event('acme', { i, k })));
    const trimmer = new EventLogTrimmer(eventLogCollection(scratch), reader, { maxEntries: 6, maxAgeMs: 3_600_000 });
    expect(await trimmer.trim()).toBe(14);
    expect((await entriesOf(scratch)).map((e) => e._id)).toEqual([15, 16, 17, 18, 19, 20]);
    expect(await trimmer.trim()).toBe(0);

    const keepOne = new EventLogTrimmer(eventLogCollection(scratch), reader, { maxEntries: 1, maxAgeMs: 1 });
    await keepOne.trim();
    expect((await entriesOf(scratch)).map((e) => e._id)).toEqual([20]);
    // The appender continues after the newest, also a fresh one that must look it up.
    await (await instance(scratch.name)).log.append([event('acme', { after: 'trim' })]);
    expect((await entriesOf(scratch)).map((e) => e._id)).toEqual([20, 21]);
  });

  it('removes entries past the age limit, up to the newest old one, even if an older clock wrote a later one', async () => {
    const scratch = await scratchLog('trim_age');
    const reader = new EventLogReader(eventLogCollection(scratch));
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    // Entry 3 was written by an instance whose clock ran behind: it still goes with 1..4.
    const ages = [90, 80, 200, 70, 5, 1];
    await eventLogCollection(scratch).insertMany(
      ages.map((minutes, i) => ({ _id: i + 1, companyId: 'acme', event: 'ticket.updated' as const, payload: '{}', audience: null, at: at(minutes) })),
    );
    const trimmer = new EventLogTrimmer(eventLogCollection(scratch), reader, { maxEntries: 1000, maxAgeMs: 60 * 60_000 });
    expect(await trimmer.trim()).toBe(4);
    expect((await entriesOf(scratch)).map((e) => e._id)).toEqual([5, 6]);
  });
});

describe.each<EventLogTailMode>(['change-stream', 'poll'])('the tailer (%s)', (mode) => {
  it('emits every entry exactly once, in sequence order, with two instances appending concurrently', async () => {
    const scratch = await scratchLog(`tail_${mode.replace('-', '_')}`);
    const [one, two] = [await instance(scratch.name), await instance(scratch.name)];
    await one.log.append([event('acme', { before: 'start' })]); // before the tailer: not emitted
    const { tailer, seen, errors, follow } = tailerOn(scratch, mode);
    follow('acme');
    follow('globex');
    tailer.start();
    await tailer.positioned;
    await until(() => tailer.mode !== null);
    expect(tailer.mode).toBe(mode);

    const appends: Promise<void>[] = [];
    for (let n = 0; n < 30; n++) {
      appends.push(one.log.append([event('acme', { n, from: 'one' })]));
      appends.push(two.log.append([event('globex', { n, from: 'two' }), event('acme', { n, from: 'two' })]));
    }
    await Promise.all(appends);
    await until(() => seen.length >= 90);
    await new Promise((r) => setTimeout(r, 200)); // nothing more, nothing twice
    await tailer.stop();
    expect(errors).toEqual([]);
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 90 }, (_, i) => i + 2));
  });

  it('a tailer whose next entry was trimmed before it read it signals the loss once and continues', async () => {
    const scratch = await scratchLog(`lost_${mode.replace('-', '_')}`);
    const { log, reader } = await instance(scratch.name);
    await log.append([event('acme', { i: 1 }), event('acme', { i: 2 })]);
    const { tailer, seen, lost, errors, follow } = tailerOn(scratch, mode);
    follow('acme');
    tailer.start();
    expect(await tailer.positioned).toBe(2);
    // Stop the tailer from reading while entries come and go: it is "behind".
    await tailer.stop();
    await log.append(Array.from({ length: 10 }, (_, i) => event('acme', { i: i + 3 })));
    await new EventLogTrimmer(eventLogCollection(scratch), reader, { maxEntries: 6, maxAgeMs: 3_600_000 }).trim();

    // A tailer that was at 2 when the entries after it went.
    const restarted = tailerOn(scratch, mode, eventLogCollection(scratch), 2);
    restarted.follow('acme');
    restarted.tailer.start();
    await until(() => restarted.seen.length >= 6);
    await restarted.tailer.stop();
    expect(seen).toEqual([]);
    expect(lost).toEqual([]);
    expect(errors).toEqual([]);
    expect(restarted.lost).toEqual([{ from: 3, to: 6 }]);
    expect(restarted.errors.map((e) => e.message)).toEqual(['event log: entries 3..6 were trimmed before this instance read them']);
    expect(restarted.seen.map((e) => e.seq)).toEqual([7, 8, 9, 10, 11, 12]);
  });
});

describe('the tailer (auto)', () => {
  it('uses a change stream where the server has them', async () => {
    const scratch = await scratchLog('auto_cs');
    const { tailer } = tailerOn(scratch, 'auto');
    tailer.start();
    await until(() => tailer.mode !== null);
    expect(tailer.mode).toBe('change-stream');
    await tailer.stop();
  });

  it('falls back to polling, with one note, where the server refuses change streams (a standalone mongod)', async () => {
    const scratch = await scratchLog('auto_poll');
    const refusing = new Proxy(eventLogCollection(scratch), {
      get(target, property, receiver) {
        if (property === 'watch') {
          return () => ({
            tryNext: () => Promise.reject(Object.assign(new Error('The $changeStream stage is only supported on replica sets'), { code: 40573 })),
            close: () => Promise.resolve(),
          });
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const { tailer, seen, notes, errors, follow } = tailerOn(scratch, 'auto', refusing);
    follow('acme');
    tailer.start();
    await tailer.positioned;
    await until(() => tailer.mode === 'poll');
    const { log } = await instance(scratch.name);
    await log.append([event('acme', { i: 1 })]);
    await until(() => seen.length === 1);
    await tailer.stop();
    expect(seen.map((e) => e.seq)).toEqual([1]);
    expect(notes).toEqual([expect.stringMatching(/no change streams.*polled/)]);
    expect(errors).toEqual([]);
  });
});
