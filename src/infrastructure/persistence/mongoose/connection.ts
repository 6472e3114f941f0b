import mongoose, { Connection } from 'mongoose';

export interface DatabaseConnectionOptions {
  readonly uri: string;
  /** Overrides the database named in the URI (tests give each file its own). */
  readonly dbName?: string;
  readonly serverSelectionTimeoutMS?: number;
}

/**
 * How long a connection may stay silent while an operation waits on it, unless the URI sets
 * `socketTimeoutMS` itself (`0`: no limit). The driver's default is no limit, and then one
 * connection that never answers (a dropped network path, a database that accepted it while
 * restarting: seen after an outage) holds its operation, and the worker awaiting it, forever.
 * A minute is far above any operation of the service (change streams wait 1 s per round);
 * building a new index on a very large collection at start may need more (set it in the URI).
 */
export const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;

/** One mongoose connection per process; models are registered on it, not on the global mongoose. */
export async function openDatabaseConnection(options: DatabaseConnectionOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName ?? databaseNameIn(options.uri) ?? 'zapdesk',
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    ...(uriSetsSocketTimeout(options.uri) ? {} : { socketTimeoutMS: DEFAULT_SOCKET_TIMEOUT_MS }),
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

/** Whether the URI's options name socketTimeoutMS (option names are case-insensitive). */
export function uriSetsSocketTimeout(uri: string): boolean {
  const query = uri.split('?')[1] ?? '';
  return query.split('&').some((pair) => pair.split('=')[0]!.toLowerCase() === 'sockettimeoutms');
}

/** The database named in a mongodb:// URI's path, if any. */
function databaseNameIn(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
