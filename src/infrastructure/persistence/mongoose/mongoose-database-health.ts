import { Connection } from 'mongoose';
import { DatabaseHealth, DatabaseHealthReport } from '../../../application/ports/database-health.port';

export class MongooseDatabaseHealth implements DatabaseHealth {
  constructor(private readonly connection: Connection, private readonly timeoutMs = 2000) {}

  async check(): Promise<DatabaseHealthReport> {
    const started = Date.now();
    try {
      const db = this.connection.db;
      if (!db) throw new Error('not connected');
      await withTimeout(db.command({ ping: 1 }), this.timeoutMs);
      return { up: true, latencyMs: Date.now() - started };
    } catch (error) {
      return { up: false, latencyMs: null, error: error instanceof Error ? error.message : 'unknown error' };
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
