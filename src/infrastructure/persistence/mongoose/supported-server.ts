import { Connection } from 'mongoose';

export class UnsupportedDatabaseError extends Error {}

/**
 * Refuses, at start, a server that breaks what Zapdesk's writes rely on. FerretDB v1 announces
 * itself with `ferretdbVersion` in buildInfo; it applies a conditional update's filter and its
 * write in separate steps, so concurrent writers all "win" and `$inc`s are lost (measured: 16
 * writers × 50 increments kept 60-180 of 800). Every versioned write, claim and counter here
 * would silently go wrong on it.
 */
export async function assertSupportedServer(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  const info = await db.admin().command({ buildInfo: 1 });
  if (typeof info.ferretdbVersion === 'string') {
    throw new UnsupportedDatabaseError(
      `the database is FerretDB ${info.ferretdbVersion}, which Zapdesk does not support: it loses concurrent updates ` +
        '(conditional updates and $inc are not atomic there). Use MongoDB (a replica set in production), or leave ' +
        'MONGODB_URI unset for the embedded database.',
    );
  }
}
