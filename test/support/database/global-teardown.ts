import type { RunningDatabase } from '../../../src/infrastructure/persistence/database/database-server';
import { TEST_DATABASE_HANDLE } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as unknown as Record<symbol, RunningDatabase | undefined>;
  const database = holder[TEST_DATABASE_HANDLE];
  holder[TEST_DATABASE_HANDLE] = undefined;
  await database?.stop();
}
