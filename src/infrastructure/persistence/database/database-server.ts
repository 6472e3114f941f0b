import { join } from 'node:path';
import { startMongoJavaServer } from './mongo-java-server-launcher';
import { tryStartMemoryServer } from './memory-server-launcher';

export type DatabaseKind = 'external' | 'mongodb-memory-server' | 'mongo-java-server';

export interface RunningDatabase {
  /** Server URI without a database name (ends in `/` or `/?options`); add one with `withDatabaseName`. */
  readonly uri: string;
  readonly kind: DatabaseKind;
  /** The server's process, when one was started here. */
  readonly pid?: number;
  /** Which storage it runs on: memory (gone at stop) or files in a data folder. */
  readonly storage?: 'memory' | 'h2' | 'files';
  /** Stops what was started (nothing for 'external'); safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartDatabaseServerOptions {
  /** Progress and decisions, one line each; stderr by default. */
  log?: (line: string) => void;
  /** Environment to read (MONGODB_URI, MONGOMS_*, ZAPDESK_CACHE_DIR, XDG_CACHE_HOME); process.env by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * A folder whose data outlives the process (`npm start`, `npm run db`): mongo-java-server on its
   * H2 backend, or mongod with its files, keep the data there. Without it the data is in memory
   * (tests): fast, and gone at stop.
   */
  persistentDataDir?: string;
}

/**
 * The one place that decides which real MongoDB-wire server the service and the tests talk to:
 * 1. MONGODB_URI when set (nothing is started);
 * 2. else a mongod through mongodb-memory-server, as a one-node replica set (change streams work);
 *    it gives up fast when no binary can be had;
 * 3. else mongo-java-server (memory backend, or H2 in `persistentDataDir`), with its oplog on for
 *    change streams; its small launcher is built once with Maven into a cache directory.
 */
export async function startDatabaseServer(options: StartDatabaseServerOptions = {}): Promise<RunningDatabase> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = options.env ?? process.env;

  const external = env.MONGODB_URI?.trim();
  if (external) {
    const uri = withoutDatabaseName(external);
    log(`[db] using MONGODB_URI ${redactMongoUri(uri)} (no server started)`);
    return { uri, kind: 'external', stop: async () => undefined };
  }

  const dataDir = options.persistentDataDir;
  const memory = await tryStartMemoryServer({ log, env, ...(dataDir ? { dbPath: join(dataDir, 'mongod') } : {}) });
  if (memory !== undefined) return { ...memory, kind: 'mongodb-memory-server', storage: dataDir ? 'files' : 'memory' };

  const h2File = dataDir ? join(dataDir, 'embedded-mongo.mv.db') : undefined;
  log(
    h2File
      ? `[db] using mongo-java-server (H2 backend): data kept in ${h2File}`
      : '[db] using mongo-java-server (memory backend): data is gone when it stops',
  );
  const server = await startMongoJavaServer({ log, env, ...(h2File ? { h2File } : {}) });
  return { ...server, kind: 'mongo-java-server', storage: h2File ? 'h2' : 'memory' };
}

// ------------------------------------------------------------------------------------ URI helpers

interface MongoUriParts {
  readonly scheme: string;
  readonly authority: string;
  readonly database: string;
  readonly query: string;
}

const URI_SHAPE = /^(mongodb(?:\+srv)?:\/\/)([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/i;

function splitMongoUri(uri: string): MongoUriParts {
  const match = URI_SHAPE.exec(uri.trim());
  if (match === null) throw new Error(`not a mongodb:// or mongodb+srv:// URI: ${redactMongoUri(uri)}`);
  const [, scheme = '', authority = '', database = '', query = ''] = match;
  return { scheme, authority, database: decodeURIComponent(database), query };
}

/**
 * The query to keep when the database path changes: with credentials and no explicit authSource,
 * the path's database is the authentication database, so it moves into `authSource`.
 */
function keptQuery({ authority, database, query }: MongoUriParts): string {
  const params = query.split('&').filter((param) => param !== '');
  const hasCredentials = authority.includes('@');
  if (hasCredentials && database !== '' && !params.some((param) => /^authsource=/i.test(param))) {
    params.push(`authSource=${encodeURIComponent(database)}`);
  }
  return params.length > 0 ? `?${params.join('&')}` : '';
}

/** Puts `name` as the database of a mongodb:// or mongodb+srv:// URI, replacing any database already there. */
export function withDatabaseName(uri: string, name: string): string {
  if (name === '' || name.length > 63 || /[/\\. "$*<>:|?\0]/.test(name)) {
    throw new Error(`invalid MongoDB database name: ${JSON.stringify(name)}`);
  }
  const parts = splitMongoUri(uri);
  return `${parts.scheme}${parts.authority}/${encodeURIComponent(name)}${keptQuery(parts)}`;
}

/** The server part of a URI, without a database name (`…/` or `…/?options`). */
export function withoutDatabaseName(uri: string): string {
  const parts = splitMongoUri(uri);
  return `${parts.scheme}${parts.authority}/${keptQuery(parts)}`;
}

/** Hides user, password and secret-bearing options (`mongodb://***:***@host/…`) so a URI can be logged. */
export function redactMongoUri(uri: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?]*)(.*)$/is.exec(uri.trim());
  if (match === null) return uri.includes('@') ? '<unprintable URI with credentials>' : uri;
  const [, scheme = '', authority = '', rest = ''] = match;
  const at = authority.lastIndexOf('@');
  const host = at < 0 ? authority : `***:***@${authority.slice(at + 1)}`;
  const safeRest = rest.replace(/([?&][^=&]*(?:password|secret|token|authmechanismproperties)[^=&]*=)[^&]*/gi, '$1***');
  return `${scheme}${host}${safeRest}`;
}
