import {
  redactMongoUri,
  startDatabaseServer,
  type RunningDatabase,
} from '../../../src/infrastructure/persistence/database/database-server';

/** Where global setup leaves the running server for global teardown (same jest parent process). */
export const TEST_DATABASE_HANDLE = Symbol.for('zapdesk.test.database');

/** One real database server per jest run; workers inherit its URI through the environment. */
export default async function globalSetup(): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  log('');
  const startedAt = Date.now();
  const database = await startDatabaseServer({ log });
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  log(`[db] tests use ${database.kind} at ${redactMongoUri(database.uri)} (started in ${seconds} s)`);
  process.env.ZAPDESK_TEST_MONGODB_URI = database.uri;
  process.env.ZAPDESK_TEST_DATABASE_KIND = database.kind;
  (globalThis as unknown as Record<symbol, RunningDatabase | undefined>)[TEST_DATABASE_HANDLE] = database;
}
