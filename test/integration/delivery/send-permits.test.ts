import { MongooseSendPermits } from '../../../src/infrastructure/persistence/mongoose/delivery/mongoose-send-permits';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

let database: TestDatabase;
beforeAll(async () => {
  database = await connectTestDatabase();
});
afterAll(() => database.dropAndClose());

describe('send permits held in the database', () => {
  it('give two instances racing for one number distinct, evenly spaced slots: never more than the rate in any second', async () => {
    const a = new MongooseSendPermits(database.connection, { guardMs: 50 });
    const b = new MongooseSendPermits(database.connection, { guardMs: 50 });
    const started = Date.now();
    const slots = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).reserve('+14155550001', 20)));
    const times = slots.map((s) => s.getTime()).sort((x, y) => x - y);
    expect(new Set(times).size).toBe(60);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(52);
    // Any 21 consecutive slots span more than a second: at most 20 in any 1 s window.
    for (let i = 20; i < times.length; i += 1) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(1000);
    expect(times[0]!).toBeGreaterThanOrEqual(started - 60);
    // Another number is paced on its own.
    const other = await a.reserve('+14155550002', 20);
    expect(other.getTime()).toBeLessThan(times[59]!);
  });

  it('a number idle for a while starts again from now, not from its old slots', async () => {
    let now = Date.now();
    const permits = new MongooseSendPermits(database.connection, { guardMs: 0, now: () => now });
    const first = await permits.reserve('+14155550003', 10);
    now += 60_000;
    const later = await permits.reserve('+14155550003', 10);
    expect(later.getTime() - now).toBeGreaterThanOrEqual(0);
    expect(later.getTime() - now).toBeLessThanOrEqual(100);
    expect(first.getTime()).toBeLessThan(later.getTime() - 59_000);
  });
});
