import { WriteSlots } from '../../../src/infrastructure/persistence/mongoose/write-slots';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

let database: TestDatabase;
beforeAll(async () => {
  database = await connectTestDatabase();
});
afterAll(async () => {
  await database.dropAndClose();
});

async function slots(staleAfterMs: number): Promise<WriteSlots> {
  // Slots exist for servers without atomic conditional updates; force them on MongoDB too.
  process.env.ZAPDESK_FORCE_WRITE_SLOTS = '1';
  try {
    return await WriteSlots.forConnection(database.connection, { staleAfterMs });
  } finally {
    delete process.env.ZAPDESK_FORCE_WRITE_SLOTS;
  }
}

/**
 * Abandoned after this long in these tests. Far above one database round trip even on a
 * loaded CI machine: a holder must still be fresh when the test looks again right after.
 */
const STALE_MS = 500;

describe('write slots', () => {
  it('give each version of a document to exactly one of many concurrent writers', async () => {
    const s = await slots(60_000);
    const wins = await Promise.all(Array.from({ length: 10 }, () => s.take('tickets', 't-1', 2)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await s.take('tickets', 't-1', 3)).toBe(true);
  });

  it('let a writer take over a slot abandoned by a crashed writer, once', async () => {
    const s = await slots(STALE_MS);
    expect(await s.take('tickets', 't-2', 5)).toBe(true);
    expect(await s.take('tickets', 't-2', 5)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, STALE_MS + 100));
    const takeovers = await Promise.all(Array.from({ length: 6 }, () => s.take('tickets', 't-2', 5)));
    expect(takeovers.filter(Boolean)).toHaveLength(1);
  });

  it('hand an abandoned slot to one writer in every round, however often it is abandoned again', async () => {
    const s = await slots(STALE_MS);
    expect(await s.take('tickets', 't-3', 1)).toBe(true);
    for (let round = 0; round < 5; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, STALE_MS + 100));
      const takeovers = await Promise.all(Array.from({ length: 16 }, () => s.take('tickets', 't-3', 1)));
      expect(takeovers.filter(Boolean)).toHaveLength(1);
      // The new holder is fresh: nobody takes it over until it is abandoned in turn.
      expect(await s.take('tickets', 't-3', 1)).toBe(false);
    }
  });
});
