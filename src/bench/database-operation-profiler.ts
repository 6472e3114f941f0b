import { mongo } from 'mongoose';

/** Driver methods that are one round trip each (cursor methods count their first batch only). */
const PROFILED_METHODS = [
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOne',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'countDocuments',
  'bulkWrite',
  'find',
  'aggregate',
] as const;

export interface OperationCount {
  /** `<collection>.<method>` */
  readonly operation: string;
  readonly calls: number;
  /** Time from call to settled promise, summed over calls (cursor methods: 0). */
  readonly totalMs: number;
}

/**
 * `npm run bench -- ingestion --profile`: counts every MongoDB driver operation of this
 * process by collection and method while active, by wrapping the driver's Collection
 * methods (mongoose's collections and the service's driver-level writes both go through
 * them). Only for profiling runs: it adds a little overhead of its own.
 */
export class DatabaseOperationProfiler {
  private readonly counts = new Map<string, { calls: number; totalMs: number }>();
  private readonly originals = new Map<string, unknown>();

  start(): void {
    const prototype = mongo.Collection.prototype as unknown as Record<string, unknown>;
    // >0 while a profiled method runs synchronously: the driver's findOne calls find, counted once.
    const nesting = { depth: 0 };
    for (const method of PROFILED_METHODS) {
      const original = prototype[method];
      if (typeof original !== 'function' || this.originals.has(method)) continue;
      this.originals.set(method, original);
      const record = (name: string, ms: number): void => {
        const entry = this.counts.get(name) ?? { calls: 0, totalMs: 0 };
        entry.calls += 1;
        entry.totalMs += ms;
        this.counts.set(name, entry);
      };
      prototype[method] = function profiled(this: mongo.Collection, ...args: unknown[]): unknown {
        const call = (): unknown => (original as (...a: unknown[]) => unknown).apply(this, args);
        if (nesting.depth > 0) return call();
        const name = `${this.collectionName}.${method}`;
        const startedAt = performance.now();
        nesting.depth += 1;
        let result: unknown;
        try {
          result = call();
        } finally {
          nesting.depth -= 1;
        }
        if (result instanceof Promise) {
          return result.finally(() => record(name, performance.now() - startedAt));
        }
        record(name, 0);
        return result;
      };
    }
  }

  stop(): OperationCount[] {
    const prototype = mongo.Collection.prototype as unknown as Record<string, unknown>;
    for (const [method, original] of this.originals) prototype[method] = original;
    this.originals.clear();
    return [...this.counts]
      .map(([operation, { calls, totalMs }]) => ({ operation, calls, totalMs }))
      .sort((a, b) => b.calls - a.calls);
  }
}
