import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { createConnection, type Connection } from 'mongoose';
import { withDatabaseName } from '../../../src/infrastructure/persistence/database/database-server';

export interface TestDatabase {
  readonly connection: Connection;
  readonly uri: string;
  /** Drops this test file's database and closes the connection; call it in afterAll. */
  dropAndClose(): Promise<void>;
}

const MAX_NAME_LENGTH = 38;
let fileUri: string | undefined;

/** `<test file stem>_<random>`: at most 38 characters of [a-z0-9_]. */
export function testDatabaseName(testPath: string | undefined): string {
  const suffix = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8);
  const stem =
    basename(testPath ?? 'test')
      .replace(/(\.(test|spec))?\.[cm]?[jt]sx?$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, MAX_NAME_LENGTH - suffix.length - 1)
      .replace(/_+$/, '') || 'test';
  return `${stem}_${suffix}`;
}

/** The run's server URI (from jest's global setup) with this test file's own database name. */
export function testDatabaseUri(): string {
  if (fileUri !== undefined) return fileUri;
  const serverUri = process.env.ZAPDESK_TEST_MONGODB_URI;
  if (!serverUri) {
    throw new Error('ZAPDESK_TEST_MONGODB_URI is not set: run the tests through jest, whose globalSetup starts the database');
  }
  fileUri = withDatabaseName(serverUri, testDatabaseName(expect.getState().testPath));
  return fileUri;
}

export async function connectTestDatabase(): Promise<TestDatabase> {
  const uri = testDatabaseUri();
  const connection = await createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  return {
    connection,
    uri,
    dropAndClose: async () => {
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
    },
  };
}
