import { Connection } from 'mongoose';
import { dataDirectory } from '../config/data-directory';
import { isAlive, readRuntimeFile } from '../config/runtime-file';
import { RunningDatabase, redactMongoUri, startDatabaseServer } from '../persistence/database/database-server';
import { openDatabaseConnection } from '../persistence/mongoose/connection';

export interface OperationsDatabase {
  readonly connection: Connection;
  /** Where it came from, for the operator (credentials redacted). */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * The database the service itself would use, for the operations commands (rotate-key, backup,
 * restore): `MONGODB_URI` when set; else the embedded database of the data folder, reached
 * through the running service (runtime.json: the embedded engine's data file belongs to the
 * process that opened it), or started here on the same data folder and stopped afterwards.
 */
export async function openOperationsDatabase(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => undefined): Promise<OperationsDatabase> {
  const configured = env.MONGODB_URI?.trim();
  if (configured) {
    const connection = await openDatabaseConnection({ uri: configured });
    return { connection, description: `MONGODB_URI ${redactMongoUri(configured)} (database ${connection.name})`, close: () => connection.close() };
  }
  const dataDir = dataDirectory(env);
  const runtime = readRuntimeFile(dataDir);
  if (runtime?.databaseUri && isAlive(runtime.pid)) {
    const connection = await openDatabaseConnection({ uri: runtime.databaseUri });
    return { connection, description: `the embedded database of the running service (pid ${runtime.pid})`, close: () => connection.close() };
  }
  let database: RunningDatabase | null = null;
  try {
    database = await startDatabaseServer({ log, env, persistentDataDir: dataDir });
    const connection = await openDatabaseConnection({ uri: database.uri });
    const started = database;
    return {
      connection,
      description: `the embedded database in ${dataDir}`,
      close: async () => {
        await connection.close();
        await started.stop();
      },
    };
  } catch (error) {
    await database?.stop();
    throw error;
  }
}
