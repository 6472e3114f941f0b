import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdir } from 'node:fs/promises';

/** What a launcher hands back; `startDatabaseServer` adds the kind. */
export interface LaunchedServer {
  readonly uri: string;
  /** The server's process, when this process started one (CPU accounting in benchmarks). */
  readonly pid?: number;
  stop(): Promise<void>;
}

export interface LauncherOptions {
  readonly log: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export interface MemoryServerOptions extends LauncherOptions {
  /** mongod's data folder, kept between runs; a temporary one when absent. */
  readonly dbPath?: string;
}

const DEFAULT_DOWNLOAD_MIRROR = 'https://fastdl.mongodb.org';

/**
 * Starts a real mongod through mongodb-memory-server-core, or returns undefined (after one log
 * line saying why) when that is impossible. Without a binary already on disk (MONGOMS_SYSTEM_BINARY
 * or the library's cache) it first probes the download host for `probeTimeoutMs`, so an offline
 * machine gives up in milliseconds to a few seconds instead of waiting out the library's retries.
 */
export async function tryStartMemoryServer(
  { log, env, dbPath }: MemoryServerOptions,
  probeTimeoutMs = 3000,
): Promise<LaunchedServer | undefined> {
  const startedAt = Date.now();
  const giveUp = (why: string): undefined => {
    log(`[db] mongodb-memory-server not used (${why}; gave up after ${Date.now() - startedAt} ms) -> trying mongo-java-server`);
    return undefined;
  };

  let lib: typeof import('mongodb-memory-server-core');
  try {
    lib = await import('mongodb-memory-server-core');
  } catch (error) {
    return giveUp(`cannot load mongodb-memory-server-core: ${messageOf(error)}`);
  }

  const binary = {
    ...(env.MONGOMS_SYSTEM_BINARY ? { systemBinary: env.MONGOMS_SYSTEM_BINARY } : {}),
    ...(env.MONGOMS_DOWNLOAD_DIR ? { downloadDir: env.MONGOMS_DOWNLOAD_DIR } : {}),
    ...(env.MONGOMS_VERSION ? { version: env.MONGOMS_VERSION } : {}),
  };
  let existing: string | undefined;
  try {
    existing = await lib.DryMongoBinary.locateBinary(lib.DryMongoBinary.getEnsuredOptions(binary));
  } catch (error) {
    return giveUp(`the mongod binary given by MONGOMS_SYSTEM_BINARY is unusable: ${messageOf(error)}`);
  }

  if (existing === undefined) {
    if (/^(0|false|no|off)$/i.test(env.MONGOMS_RUNTIME_DOWNLOAD ?? '')) {
      return giveUp('no mongod binary on disk and MONGOMS_RUNTIME_DOWNLOAD is off');
    }
    const target = new URL(env.MONGOMS_DOWNLOAD_URL || env.MONGOMS_DOWNLOAD_MIRROR || DEFAULT_DOWNLOAD_MIRROR);
    const problem = await probeReachable(target, proxyFrom(env), probeTimeoutMs);
    if (problem !== undefined) {
      return giveUp(`no mongod binary on disk and the download host ${target.host} is unreachable: ${problem}`);
    }
    log(`[db] no mongod binary on disk; mongodb-memory-server downloads one from ${target.host} (first run only)`);
  } else {
    log(`[db] mongodb-memory-server uses mongod at ${existing}`);
  }

  try {
    // A one-node replica set: change streams need one (a standalone mongod has no oplog).
    if (dbPath !== undefined) await mkdir(dbPath, { recursive: true });
    const replSet = await lib.MongoMemoryReplSet.create({
      binary,
      replSet: { count: 1, ip: '127.0.0.1' },
      instanceOpts: [{ ...(dbPath !== undefined ? { dbPath, storageEngine: 'wiredTiger' as const } : {}) }],
    });
    return {
      uri: replSet.getUri(),
      stop: async () => {
        await replSet.stop({ doCleanup: dbPath === undefined });
      },
    };
  } catch (error) {
    return giveUp(`mongod could not be fetched or started: ${messageOf(error)}`);
  }
}

function proxyFrom(env: NodeJS.ProcessEnv): string | undefined {
  return env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY || undefined;
}

/** Resolves undefined when the host answers anything over HTTP(S) (directly or via CONNECT through the proxy), else why not. */
function probeReachable(target: URL, proxy: string | undefined, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const port = target.port || (target.protocol === 'http:' ? '80' : '443');
    let request: ReturnType<typeof httpRequest>;
    try {
      if (proxy !== undefined) {
        const proxyUrl = new URL(proxy);
        const send = proxyUrl.protocol === 'https:' ? httpsRequest : httpRequest;
        request = send(proxyUrl, { method: 'CONNECT', path: `${target.hostname}:${port}` });
      } else {
        const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
        request = send(new URL('/', target), { method: 'HEAD' });
      }
    } catch (error) {
      resolve(messageOf(error));
      return;
    }
    const finish = (problem: string | undefined): void => {
      clearTimeout(timer);
      request.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    request.once('connect', (response, socket) => {
      socket.destroy();
      finish(response.statusCode === 200 ? undefined : `proxy answered CONNECT with ${response.statusCode}`);
    });
    request.once('response', (response) => {
      response.resume();
      finish(undefined);
    });
    request.once('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    request.end();
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
}
