/**
 * A closed-loop load generator: `concurrency` workers, each sending its next request as soon
 * as the previous one answered, until every item is sent. Closed-loop keeps the offered load
 * at exactly `concurrency` requests in flight, so latency and throughput of two systems run
 * with the same settings are comparable.
 */

/** What one request came back with: acknowledged (2xx) or not, and a reason when not. */
export interface RequestOutcome {
  readonly ok: boolean;
  /** Short reason for a failure (`HTTP 503`, `ECONNRESET`), counted in the summary. */
  readonly failure?: string;
}

export interface LoadRun {
  /** One outcome per item sent, in item order (fewer than the items when the time budget ran out). */
  readonly outcomes: readonly RequestOutcome[];
  /** One latency per item sent (ms), in item order; failures have latencies too. */
  readonly latenciesMs: readonly number[];
  /** Wall time from the first request sent to the last answer received (ms). */
  readonly elapsedMs: number;
}

export interface LoadOptions {
  /**
   * No new request starts after this many ms (those in flight finish): a system far slower
   * than expected still ends the run in bounded time, with fewer requests sent.
   */
  readonly budgetMs?: number;
}

export async function runAtConcurrency<T>(
  items: readonly T[],
  concurrency: number,
  send: (item: T) => Promise<RequestOutcome>,
  options: LoadOptions = {},
): Promise<LoadRun> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const outcomes = new Array<RequestOutcome>(items.length);
  const latenciesMs = new Array<number>(items.length);
  const stopAt = options.budgetMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.budgetMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && performance.now() < stopAt) {
      const index = next;
      next += 1;
      const startedAt = process.hrtime.bigint();
      let outcome: RequestOutcome;
      try {
        outcome = await send(items[index] as T);
      } catch (error) {
        // A throwing sender is a failed request, not a crashed benchmark.
        outcome = { ok: false, failure: error instanceof Error ? error.message : String(error) };
      }
      latenciesMs[index] = Number(process.hrtime.bigint() - startedAt) / 1e6;
      outcomes[index] = outcome;
    }
  };
  const startedAt = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  // Items are taken in order, so exactly the first `next` were sent.
  return { outcomes: outcomes.slice(0, next), latenciesMs: latenciesMs.slice(0, next), elapsedMs: Number(process.hrtime.bigint() - startedAt) / 1e6 };
}

/** Several runs of the same system (e.g. the two halves of an A-B-B-A order) as one. */
export function combineRuns(runs: readonly LoadRun[]): LoadRun {
  return {
    outcomes: runs.flatMap((run) => run.outcomes),
    latenciesMs: runs.flatMap((run) => run.latenciesMs),
    elapsedMs: runs.reduce((total, run) => total + run.elapsedMs, 0),
  };
}

/**
 * Nearest-rank percentile of ascending `sorted` values: the smallest value with at least
 * p% of the values at or below it. NaN for no values.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (p < 0 || p > 100) throw new Error(`percentile must be within 0..100, got ${p}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface LoadSummary {
  readonly requests: number;
  readonly errors: number;
  /** Failure reasons and how often each occurred. */
  readonly failures: ReadonlyMap<string, number>;
  /** Acknowledged requests per second of wall time. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarize(run: LoadRun): LoadSummary {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  const failures = new Map<string, number>();
  let acknowledged = 0;
  for (const outcome of run.outcomes) {
    if (outcome.ok) acknowledged += 1;
    else failures.set(outcome.failure ?? 'failed', (failures.get(outcome.failure ?? 'failed') ?? 0) + 1);
  }
  return {
    requests: run.outcomes.length,
    errors: run.outcomes.length - acknowledged,
    failures,
    throughput: run.elapsedMs > 0 ? (acknowledged * 1000) / run.elapsedMs : 0,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}
