import mongoose, { Connection } from 'mongoose';

export interface DatabaseConnectionOptions {
  readonly uri: string;
  /** Overrides the database named in the URI (tests give each file its own). */
  readonly dbName?: string;
  readonly serverSelectionTimeoutMS?: number;
}

/** One mongoose connection per process; models are registered on it, not on the global mongoose. */
export async function openDatabaseConnection(options: DatabaseConnectionOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName ?? databaseNameIn(options.uri) ?? 'zapdesk',
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    autoIndex: false,
    autoCreate: false,
    maxPoolSize: 50,
    // With the database away, a command fails within serverSelectionTimeoutMS (the API answers
    // 503, a webhook lets Twilio retry) instead of waiting in mongoose's buffer for it to return.
    bufferCommands: false,
  });
  await connection.asPromise();
  return connection;
}

/** The database named in a mongodb:// URI's path, if any. */
function databaseNameIn(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
