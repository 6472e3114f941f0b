import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { mongo } from 'mongoose';
import { GridFsAttachmentStore } from '../../../src/infrastructure/persistence/mongoose/attachments/gridfs-attachment.store';
import { GridFsUnsentAttachmentSweeper } from '../../../src/infrastructure/persistence/mongoose/attachments/gridfs-unsent-attachment-sweeper';
import { MongoOperationLease } from '../../../src/infrastructure/persistence/mongoose/operation-lease';
import { AttachmentSweepWorker } from '../../../src/infrastructure/workers/attachment-sweep-worker';
import { connectTestDatabase, type TestDatabase } from '../../support/database/test-database';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const TTL = 24 * HOUR;
/** GridFS's default chunk size: a file of a bit more is two chunks. */
const CHUNK = 255 * 1024;

let database: TestDatabase;
let store: GridFsAttachmentStore;
let sweeper: GridFsUnsentAttachmentSweeper;
const files = () => database.connection.db!.collection('attachments.files');
const chunks = () => database.connection.db!.collection('attachments.chunks');
const later = (ms: number) => new Date(Date.now() + ms);
const chunksOf = (id: string) => chunks().countDocuments({ files_id: new mongo.ObjectId(id) });
const fileOf = (id: string) => files().findOne({ _id: new mongo.ObjectId(id) });

beforeAll(async () => {
  database = await connectTestDatabase();
  store = new GridFsAttachmentStore(database.connection);
  sweeper = new GridFsUnsentAttachmentSweeper(database.connection, { ttlMs: TTL, maxPerPass: 1000 });
});
afterAll(() => database.dropAndClose());
beforeEach(async () => {
  await files().deleteMany({});
  await chunks().deleteMany({});
});

function upload(options: { usedAt?: Date; bytes?: number; companyId?: string } = {}) {
  return store.store(
    {
      companyId: options.companyId ?? 'acme',
      ticketId: 'ticket-1',
      uploadedBy: 'agent-ana',
      filename: 'nota.pdf',
      contentType: 'application/pdf',
      maxBytes: 16 * 1024 * 1024,
      ...(options.usedAt ? { usedAt: options.usedAt } : {}),
    },
    Readable.from([randomBytes(options.bytes ?? CHUNK + 100)]),
  );
}

describe('the sweep of attachments uploaded and never sent', () => {
  it('deletes an unsent file older than the TTL with its chunks; keeps young, claimed and reply-stored files', async () => {
    const unsent = await upload();
    const claimed = await upload();
    const storedByReply = await upload({ usedAt: new Date() });
    expect(await chunksOf(unsent.id)).toBe(2);

    // Nothing is old yet.
    expect(await sweeper.sweep(new Date())).toEqual({ files: 0, chunks: 0, orphanChunks: 0, backfilled: 0 });
    expect(await sweeper.sweep(later(TTL - 60_000))).toEqual({ files: 0, chunks: 0, orphanChunks: 0, backfilled: 0 });

    expect(await store.claim('acme', claimed.id, new Date())).toBe(true);
    // Another company's id, an unknown id, a malformed one: claim nothing.
    expect(await store.claim('globex', unsent.id, new Date())).toBe(false);
    expect(await store.claim('acme', new mongo.ObjectId().toHexString(), new Date())).toBe(false);
    expect(await store.claim('acme', 'not-an-id', new Date())).toBe(false);

    expect(await sweeper.sweep(later(TTL + 60_000))).toEqual({ files: 1, chunks: 2, orphanChunks: 0, backfilled: 0 });
    expect(await fileOf(unsent.id)).toBeNull();
    expect(await chunksOf(unsent.id)).toBe(0);
    expect(await store.find('acme', unsent.id)).toBeNull();
    expect(await store.claim('acme', unsent.id, new Date())).toBe(false);

    for (const kept of [claimed, storedByReply]) {
      expect((await fileOf(kept.id))?.metadata.usedAt).toBeInstanceOf(Date);
      expect(await chunksOf(kept.id)).toBe(2);
    }
    // A second pass finds nothing more.
    expect(await sweeper.sweep(later(10 * TTL))).toEqual({ files: 0, chunks: 0, orphanChunks: 0, backfilled: 0 });
  });

  it('deletes orphan chunks (no file document) older than the TTL, keeps younger ones and chunks of stored files', async () => {
    const old = mongo.ObjectId.createFromTime(Math.floor((Date.now() - TTL - HOUR) / 1000));
    const young = mongo.ObjectId.createFromTime(Math.floor((Date.now() - TTL + HOUR) / 1000));
    const chunk = (filesId: mongo.ObjectId, n: number) => ({ files_id: filesId, n, data: new mongo.Binary(randomBytes(64)) });
    await chunks().insertMany([chunk(old, 0), chunk(old, 1), chunk(old, 2), chunk(young, 0)]);
    // An upload cut short: its chunks written, its file document never (GridFS writes it last).
    const cut = new mongo.GridFSBucket(database.connection.db!, { bucketName: 'attachments' }).openUploadStream('cut.pdf');
    await new Promise<void>((resolve, reject) => cut.write(randomBytes(CHUNK + 10), (error) => (error ? reject(error) : resolve())));
    const cutId = cut.id as mongo.ObjectId;
    expect(await chunks().countDocuments({ files_id: cutId })).toBe(1);
    const stored = await upload({ usedAt: new Date() });

    expect(await sweeper.sweep(new Date())).toEqual({ files: 0, chunks: 0, orphanChunks: 3, backfilled: 0 });
    expect(await chunks().countDocuments({ files_id: old })).toBe(0);
    expect(await chunks().countDocuments({ files_id: young })).toBe(1);
    expect(await chunks().countDocuments({ files_id: cutId })).toBe(1);

    // A day later the cut upload and the younger orphan are over the TTL too; the stored file stays.
    expect(await sweeper.sweep(later(TTL + 2 * HOUR))).toEqual({ files: 0, chunks: 0, orphanChunks: 2, backfilled: 0 });
    expect(await chunks().countDocuments({ files_id: { $in: [young, cutId] } })).toBe(0);
    expect(await chunksOf(stored.id)).toBe(2);
  });

  it('bounds a pass: at most maxPerPass files, the rest on the next pass', async () => {
    const small = new GridFsUnsentAttachmentSweeper(database.connection, { ttlMs: TTL, maxPerPass: 2 });
    for (let i = 0; i < 5; i += 1) await upload({ bytes: 10 });
    expect(await small.sweep(later(2 * TTL))).toEqual({ files: 2, chunks: 2, orphanChunks: 0, backfilled: 0 });
    expect(await small.sweep(later(2 * TTL))).toEqual({ files: 2, chunks: 2, orphanChunks: 0, backfilled: 0 });
    expect(await small.sweep(later(2 * TTL))).toEqual({ files: 1, chunks: 1, orphanChunks: 0, backfilled: 0 });
    expect(await files().countDocuments()).toBe(0);
  });

  it('two sweeps racing delete each file once, and never a claimed file', async () => {
    const unsent = await Promise.all(Array.from({ length: 12 }, () => upload()));
    const claimed = await Promise.all(Array.from({ length: 4 }, () => upload()));
    for (const file of claimed) expect(await store.claim('acme', file.id, new Date())).toBe(true);
    const other = new GridFsUnsentAttachmentSweeper(database.connection, { ttlMs: TTL, maxPerPass: 1000 });

    const passes = await Promise.all([sweeper.sweep(later(2 * TTL)), other.sweep(later(2 * TTL)), sweeper.sweep(later(2 * TTL))]);
    expect(passes.reduce((sum, pass) => sum + pass.files, 0)).toBe(unsent.length);
    // Chunks are counted by whoever deleted them (the file's sweep, or another pass that saw them orphaned): each once.
    expect(passes.reduce((sum, pass) => sum + pass.chunks + pass.orphanChunks, 0)).toBe(2 * unsent.length);
    for (const file of unsent) {
      expect(await fileOf(file.id)).toBeNull();
      expect(await chunksOf(file.id)).toBe(0);
    }
    for (const file of claimed) expect(await chunksOf(file.id)).toBe(2);
  });

  it('a claim racing the sweep on the same file: either the claim won and the file stays whole, or it lost and the file is gone with its chunks', async () => {
    const outcomes = { claimed: 0, swept: 0 };
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.boolean(), async (claimDelay, sweepDelay, claimFirst) => {
        const file = await upload();
        const pause = (turns: number) => Array.from({ length: turns }).reduce<Promise<void>>((p) => p.then(() => new Promise((resolve) => setImmediate(resolve))), Promise.resolve());
        const claim = () => pause(claimDelay).then(() => store.claim('acme', file.id, new Date()));
        const sweep = () => pause(sweepDelay).then(() => sweeper.sweep(later(2 * TTL)));
        const [won, pass] = claimFirst ? await Promise.all([claim(), sweep()]) : await Promise.all([sweep(), claim()]).then(([p, c]) => [c, p] as const);
        if (won) {
          outcomes.claimed += 1;
          expect(pass.files).toBe(0);
          expect((await fileOf(file.id))?.metadata.usedAt).toBeInstanceOf(Date);
          expect(await chunksOf(file.id)).toBe(2);
        } else {
          outcomes.swept += 1;
          expect(pass.files).toBe(1);
          expect(await fileOf(file.id)).toBeNull();
          expect(await chunksOf(file.id)).toBe(0);
        }
        // Whatever happened, nothing unsent is left and nothing half-deleted.
        await files().deleteMany({});
        await chunks().deleteMany({});
      }),
      { numRuns: 60 },
    );
    // Both outcomes happen across the runs (the race is real, not one-sided).
    expect(outcomes.claimed).toBeGreaterThan(0);
    expect(outcomes.swept).toBeGreaterThan(0);
  });
});

describe('the sweep worker', () => {
  it('runs a pass only on the instance holding the sweep lease, and hands the lease over when stopped', async () => {
    const clock = { now: () => later(2 * TTL) };
    const logged: Array<Record<string, unknown>> = [];
    const worker = () =>
      new AttachmentSweepWorker(sweeper, new MongoOperationLease(database.connection, 'attachment-sweep-test'), clock, HOUR, (_message, context) => logged.push(context), (error) => {
        throw error;
      });
    const a = worker();
    const b = worker();
    await upload();
    const [first, second] = await Promise.all([a.tick(), b.tick()]);
    expect([first, second].filter((pass) => pass !== null)).toEqual([{ files: 1, chunks: 2, orphanChunks: 0, backfilled: 0 }]);
    expect(logged).toEqual([{ files: 1, chunks: 2, orphanChunks: 0, backfilled: 0 }]);
    const [holder, waiting] = first ? [a, b] : [b, a];
    expect(await waiting.tick()).toBeNull();
    await holder.stop();
    expect(await waiting.tick()).toEqual({ files: 0, chunks: 0, orphanChunks: 0, backfilled: 0 });
    await waiting.stop();
  });
});
