import fc from 'fast-check';
import { combineRuns, percentile, runAtConcurrency, summarize, type LoadRun } from '../../../src/bench/load-runner';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the smallest value with at least p% of the values at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 90)).toBe(90);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([3, 7, 20], 50)).toBe(7);
    expect(percentile([3, 7, 20], 99)).toBe(20);
  });

  it('is NaN for no values and refuses p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
    expect(() => percentile([1], -1)).toThrow(/0\.\.100/);
  });

  it('property: the result is a value of the list with at least p% at or below it and fewer than p% strictly below', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const result = percentile(sorted, p);
        expect(sorted).toContain(result);
        expect(sorted.filter((v) => v <= result).length).toBeGreaterThanOrEqual((p / 100) * sorted.length);
        expect(sorted.filter((v) => v < result).length).toBeLessThan((p / 100) * sorted.length);
      }),
    );
  });
});

describe('runAtConcurrency', () => {
  it('keeps exactly `concurrency` requests in flight and sends every item once, recording outcomes in item order', async () => {
    let inFlight = 0;
    let peak = 0;
    const sent: number[] = [];
    const items = Array.from({ length: 40 }, (_, i) => i);
    const run = await runAtConcurrency(items, 7, async (item) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      sent.push(item);
      await sleep(item % 3);
      inFlight -= 1;
      return item % 5 === 0 ? { ok: false, failure: 'HTTP 503' } : { ok: true };
    });
    expect(peak).toBe(7);
    expect([...sent].sort((a, b) => a - b)).toEqual(items);
    expect(run.outcomes.map((o) => o.ok)).toEqual(items.map((i) => i % 5 !== 0));
    expect(run.latenciesMs).toHaveLength(40);
    expect(run.latenciesMs.every((ms) => ms >= 0)).toBe(true);
  });

  it('measures each latency and the wall time', async () => {
    const run = await runAtConcurrency([60, 0], 2, async (ms) => {
      await sleep(ms);
      return { ok: true };
    });
    expect(run.latenciesMs[0]).toBeGreaterThanOrEqual(55);
    expect(run.latenciesMs[1]).toBeLessThan(run.latenciesMs[0] as number);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(55);
  });

  it('counts a throwing sender as a failed request and carries on', async () => {
    const run = await runAtConcurrency([1, 2, 3], 2, async (item) => {
      if (item === 2) throw new Error('ECONNRESET');
      return { ok: true };
    });
    expect(run.outcomes).toEqual([{ ok: true }, { ok: false, failure: 'ECONNRESET' }, { ok: true }]);
  });

  it('refuses a concurrency that is not a positive integer', async () => {
    await expect(runAtConcurrency([1], 0, async () => ({ ok: true }))).rejects.toThrow(/positive integer/);
  });
});

describe('summarize and combineRuns', () => {
  const run: LoadRun = {
    outcomes: [{ ok: true }, { ok: false, failure: 'HTTP 503' }, { ok: true }, { ok: false, failure: 'HTTP 503' }, { ok: false, failure: 'timeout' }],
    latenciesMs: [10, 40, 20, 30, 50],
    elapsedMs: 500,
  };

  it('counts errors by reason, throughput of acknowledged requests only, and latency percentiles of all', () => {
    const summary = summarize(run);
    expect(summary.requests).toBe(5);
    expect(summary.errors).toBe(3);
    expect([...summary.failures]).toEqual([
      ['HTTP 503', 2],
      ['timeout', 1],
    ]);
    expect(summary.throughput).toBeCloseTo(4, 6); // 2 acknowledged in 0.5 s
    expect(summary.p50Ms).toBe(30);
    expect(summary.p99Ms).toBe(50);
    expect(summary.maxMs).toBe(50);
  });

  it('combines runs of one system: outcomes and latencies joined, wall times added', () => {
    const combined = combineRuns([run, { outcomes: [{ ok: true }], latenciesMs: [5], elapsedMs: 250 }]);
    expect(combined.outcomes).toHaveLength(6);
    expect(combined.latenciesMs).toEqual([10, 40, 20, 30, 50, 5]);
    expect(combined.elapsedMs).toBe(750);
    expect(summarize(combined).throughput).toBeCloseTo(4, 6);
  });
});

describe('runAtConcurrency with a time budget', () => {
  it('starts no request after the budget, lets those in flight finish, and reports only what was sent', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const run = await runAtConcurrency(
      items,
      2,
      async () => {
        await sleep(20);
        return { ok: true };
      },
      { budgetMs: 50 },
    );
    // Two workers of >= 20 ms per request, starting requests for 50 ms: at most 3 rounds of 2
    // (a slow machine only makes it fewer), and the first round always starts.
    expect(run.outcomes.length).toBeGreaterThanOrEqual(2);
    expect(run.outcomes.length).toBeLessThanOrEqual(6);
    expect(run.latenciesMs).toHaveLength(run.outcomes.length);
    expect(run.outcomes.every((o) => o !== undefined && o.ok)).toBe(true);
  });

  it('sends nothing when the budget is already spent', async () => {
    const run = await runAtConcurrency([1, 2, 3], 2, async () => ({ ok: true }), { budgetMs: 0 });
    expect(run.outcomes).toEqual([]);
    expect(run.latenciesMs).toEqual([]);
  });
});
