/** How the stored messages compare with what the receiver acknowledged. */
export interface StoredOnceReport {
  readonly acknowledged: number;
  readonly stored: number;
  /** Acknowledged (2xx) but not stored: the receiver lied to Twilio. */
  readonly missing: readonly string[];
  /** Stored more than once: idempotency broken. */
  readonly duplicated: readonly string[];
  /** Stored although not acknowledged (a failure after the write): allowed, Twilio would retry and find it. */
  readonly storedUnacknowledged: readonly string[];
  /** Stored but never sent by this run: someone else wrote into the collection. */
  readonly unexpected: readonly string[];
  /** No acknowledged message missing, none duplicated, nothing unexpected. */
  readonly correct: boolean;
}

/** Every acknowledged MessageSid must be stored exactly once. */
export function checkStoredOnce(
  acknowledged: Iterable<string>,
  notAcknowledged: Iterable<string>,
  storedSids: Iterable<string>,
): StoredOnceReport {
  const acked = new Set(acknowledged);
  const refused = new Set(notAcknowledged);
  const counts = new Map<string, number>();
  let stored = 0;
  for (const sid of storedSids) {
    counts.set(sid, (counts.get(sid) ?? 0) + 1);
    stored += 1;
  }
  const missing = [...acked].filter((sid) => !counts.has(sid));
  const duplicated = [...counts].filter(([, count]) => count > 1).map(([sid]) => sid);
  const storedUnacknowledged = [...counts.keys()].filter((sid) => refused.has(sid) && !acked.has(sid));
  const unexpected = [...counts.keys()].filter((sid) => !acked.has(sid) && !refused.has(sid));
  return {
    acknowledged: acked.size,
    stored,
    missing,
    duplicated,
    storedUnacknowledged,
    unexpected,
    correct: missing.length === 0 && duplicated.length === 0 && unexpected.length === 0,
  };
}
