import fc from 'fast-check';
import { SeqProbe, searchNewestSeq } from '../../../src/infrastructure/persistence/mongoose/event-log/newest-seq.search';

/** A gap-free log holding oldest..newest (empty when newest < oldest), counting lookups. */
function logOf(oldest: number, newest: number): SeqProbe & { lookups: number; oldestReads: number; range: { oldest: number; newest: number } } {
  const log = {
    lookups: 0,
    oldestReads: 0,
    range: { oldest, newest },
    has: async (seq: number) => {
      log.lookups += 1;
      return seq >= log.range.oldest && seq <= log.range.newest;
    },
    oldest: async () => {
      log.oldestReads += 1;
      return log.range.newest >= log.range.oldest ? log.range.oldest : null;
    },
  };
  return log;
}

describe('searchNewestSeq (gallop + bisect by _id lookups)', () => {
  it('finds the newest of any gap-free run, from the oldest or from any stored number, in about 2·log2(distance) lookups', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 200_000 }), fc.double({ min: 0, max: 1, noNaN: true }), async (oldest, length, at) => {
        const newest = oldest + length;
        const from = oldest + Math.floor(at * length);
        for (const start of [undefined, from]) {
          const log = logOf(oldest, newest);
          expect(await searchNewestSeq(log, start)).toBe(newest);
          const distance = newest - (start ?? oldest) + 1;
          expect(log.lookups).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(distance + 1)) + 2);
        }
      }),
    );
  });

  it('answers 0 for an empty log', async () => {
    expect(await searchNewestSeq(logOf(1, 0))).toBe(0);
  });

  it('a stale start (no longer stored) falls back to the oldest entry', async () => {
    const log = logOf(500, 900);
    expect(await searchNewestSeq(log, 100)).toBe(900);
    expect(log.oldestReads).toBe(1);
  });

  it('starts over when rollover trims what the search stood on, instead of answering a number below the newest', async () => {
    const log = logOf(1, 1000);
    const has = log.has;
    let trimmed = false;
    // The first miss happens while the oldest entries are being dropped (all up to 600).
    log.has = async (seq) => {
      if (!trimmed && seq > 2) {
        trimmed = true;
        log.range.oldest = 601;
      }
      return has(seq);
    };
    expect(await searchNewestSeq(log)).toBe(1000);
    expect(log.oldestReads).toBe(2);
  });
});
