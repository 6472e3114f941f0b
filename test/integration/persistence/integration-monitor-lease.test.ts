import { MongooseIntegrationMonitorStore } from '../../../src/infrastructure/persistence/mongoose/integration/mongoose-integration-monitor.store';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

let database: TestDatabase;
let store: MongooseIntegrationMonitorStore;
const T0 = new Date('2026-11-30T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  database = await connectTestDatabase();
  store = new MongooseIntegrationMonitorStore(database.connection);
});
afterAll(() => database.dropAndClose());

describe('the integration monitor lease (one document, conditional writes)', () => {
  it('one holder at a time; the holder renews; a lapsed or released lease is taken over', async () => {
    // Instances racing for the very first lease (the document does not exist yet): exactly one wins.
    const first = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => store.acquireMonitorLease(holder, at(30_000), T0)));
    expect(first.filter(Boolean)).toHaveLength(1);
    const holder = ['a', 'b', 'c', 'd'][first.indexOf(true)]!;
    const other = holder === 'a' ? 'b' : 'a';

    expect(await store.acquireMonitorLease(other, at(40_000), at(10_000))).toBe(false);
    expect(await store.acquireMonitorLease(holder, at(40_000), at(10_000))).toBe(true);
    // Renewed to 40 s: still held at 35 s, free after it lapsed.
    expect(await store.acquireMonitorLease(other, at(65_000), at(35_000))).toBe(false);
    // The others race for the lapsed lease (not the old holder, which the next steps need apart).
    const others = ['a', 'b', 'c', 'd'].filter((h) => h !== holder);
    const lapsed = await Promise.all(others.map((h) => store.acquireMonitorLease(h, at(70_000), at(40_000))));
    expect(lapsed.filter(Boolean)).toHaveLength(1);
    const next = others[lapsed.indexOf(true)]!;

    // Releasing hands it over at once; releasing a lease one does not hold changes nothing.
    await store.releaseMonitorLease(holder);
    expect(await store.acquireMonitorLease(holder, at(80_000), at(41_000))).toBe(false);
    await store.releaseMonitorLease(next);
    expect(await store.acquireMonitorLease(holder, at(80_000), at(41_000))).toBe(true);
  });
});
