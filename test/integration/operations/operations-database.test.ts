import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRuntimeFile } from '../../../src/infrastructure/config/runtime-file';
import { openOperationsDatabase } from '../../../src/infrastructure/operations/operations-database';
import { connectTestDatabase, TestDatabase } from '../../support/database/test-database';

/** The operations commands pick the service's database: MONGODB_URI, else the running service's embedded one. */

let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await connectTestDatabase();
  await database.connection.db!.collection('marker').insertOne({ _id: 'here' as never });
  dataDir = mkdtempSync(join(tmpdir(), 'zapdesk-ops-db-'));
});
afterAll(async () => {
  await database.dropAndClose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function markerSeenThrough(env: NodeJS.ProcessEnv): Promise<{ found: boolean; description: string }> {
  const opened = await openOperationsDatabase(env);
  try {
    const found = (await opened.connection.db!.collection('marker').findOne({ _id: 'here' as never })) !== null;
    return { found, description: opened.description };
  } finally {
    await opened.close();
  }
}

describe('the operations commands\' database', () => {
  it('is MONGODB_URI when set, named without its credentials', async () => {
    const seen = await markerSeenThrough({ MONGODB_URI: database.uri, ZAPDESK_DATA_DIR: dataDir });
    expect(seen.found).toBe(true);
    expect(seen.description).toContain(`database ${database.connection.name}`);
  });

  it('is the running service\'s embedded database, found in the data folder\'s runtime.json', async () => {
    // As the service writes it while it runs (here: this process stands for the running service).
    const remove = writeRuntimeFile(dataDir, { pid: process.pid, serviceUrl: 'http://127.0.0.1:1', apiUrl: 'http://localhost:1', emulatorUrl: null, databaseUri: database.uri, startedAt: new Date().toISOString() });
    try {
      const seen = await markerSeenThrough({ ZAPDESK_DATA_DIR: dataDir });
      expect(seen).toEqual({ found: true, description: `the embedded database of the running service (pid ${process.pid})` });
    } finally {
      remove();
    }
  });
});
