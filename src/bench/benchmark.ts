/**
 * A benchmark run by `npm run bench`. Each one starts what it needs (database, emulator,
 * service), measures, verifies the result is correct (e.g. every acknowledged message
 * stored once) and returns printable figures. Speed goals live here, never in timed tests.
 */
export interface BenchmarkResult {
  /** Human-readable lines, printed as they are (figures with units). */
  readonly lines: readonly string[];
  /** False when the run's correctness check failed (the bench then exits non-zero). */
  readonly correct: boolean;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /** Left out of a bare `npm run bench` (it takes minutes of its own); runs when named. */
  readonly onlyWhenNamed?: boolean;
  run(options: { readonly log: (line: string) => void; readonly args: readonly string[] }): Promise<BenchmarkResult>;
}
