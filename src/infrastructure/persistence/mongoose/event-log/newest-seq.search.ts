/** What the search may ask of the log: both answer from the primary key, never a scan. */
export interface SeqProbe {
  /** Whether the entry with this sequence number is stored. */
  has(seq: number): Promise<boolean>;
  /** The oldest sequence number still held, null when the log is empty. */
  oldest(): Promise<number | null>;
}

/** Restarts allowed when rollover trimmed the entries the search stood on. */
const MAX_RESTARTS = 5;

/**
 * The newest sequence number (0 when the log is empty) without a sorted query, which
 * FerretDB v1 answers with a full scan. Sequence numbers are gap-free, so the stored ones
 * are exactly oldest..newest: gallop upward by doubling steps from a stored number, then
 * bisect between the last hit and the first miss — about 2·log2(distance) lookups by `_id`.
 *
 * `from` is a number known to be stored (say, the one another appender's insert collided
 * with): the search starts there instead of at the oldest entry.
 *
 * Under concurrent appends the answer was the newest at some moment during the call. If
 * the capped collection dropped its oldest entries under the search, a miss may be a trimmed
 * entry rather than the end; then the number found is itself gone, which the final lookup
 * sees, and the search starts over.
 */
export async function searchNewestSeq(probe: SeqProbe, from?: number): Promise<number> {
  let start: number | null | undefined = from;
  for (let restart = 0; restart <= MAX_RESTARTS; restart++) {
    start ??= await probe.oldest();
    if (start === null) return 0;
    const found = await gallopAndBisect(probe, start);
    if (await probe.has(found)) return found;
    start = undefined;
  }
  throw new Error('event log: the newest entry kept vanishing under the search (log rolling over faster than it can be read)');
}

/** The last stored number of the run that starts at `stored` (assumed stored). */
async function gallopAndBisect(probe: SeqProbe, stored: number): Promise<number> {
  let hit = stored;
  let step = 1;
  while (await probe.has(hit + step)) {
    hit += step;
    step *= 2;
  }
  let miss = hit + step;
  while (miss - hit > 1) {
    const middle = hit + Math.floor((miss - hit) / 2);
    if (await probe.has(middle)) hit = middle;
    else miss = middle;
  }
  return hit;
}
