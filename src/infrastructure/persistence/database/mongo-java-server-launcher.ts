import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { OutputTail, readLockPid, releaseLock, runCommand, sleep, terminate, tryLock } from './child-process-tools';
import type { LaunchedServer, LauncherOptions } from './memory-server-launcher';

export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
const LAUNCHER_CLASS = 'dev.zapdesk.embeddedmongo.EmbeddedMongoLauncher';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const INSTALL_HINT = 'install a Java 17+ runtime and Maven (Debian: apt-get install openjdk-17-jdk-headless maven)';

export interface MongoJavaServerOptions extends LauncherOptions {
  /** H2 store file: data persists there between runs. Without it the memory backend is used. */
  readonly h2File?: string;
  /** Loopback port to listen on (a restart on the same port, in fault tests); a free one by default. */
  readonly port?: number;
}

/** The launcher's sources in this repository (tools/embedded-mongo), found from this file upwards. */
export function launcherSourceDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'tools', 'embedded-mongo');
    if (existsSync(join(candidate, 'pom.xml'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`tools/embedded-mongo/pom.xml not found above ${__dirname}`);
  }
}

/**
 * `${ZAPDESK_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/zapdesk}/embedded-mongo-<hash>`: the hash covers
 * the launcher's pom and sources, so a change to them builds anew beside the old build.
 */
export function launcherBuildDir(env: NodeJS.ProcessEnv, sourceDir = launcherSourceDir()): string {
  const base = env.ZAPDESK_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'zapdesk');
  const hash = createHash('sha256');
  for (const file of sourceFiles(sourceDir)) hash.update(file.slice(sourceDir.length)).update(readFileSync(file));
  return join(base, `embedded-mongo-${MONGO_JAVA_SERVER_VERSION}-${hash.digest('hex').slice(0, 12)}`);
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === 'target') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else files.push(full);
  }
  return files;
}

/** Builds the launcher once (cached) and starts mongo-java-server on a free loopback port. */
export async function startMongoJavaServer(options: MongoJavaServerOptions): Promise<LaunchedServer> {
  const buildDir = await ensureLauncherBuilt(options);
  return launch(buildDir, options);
}

// ---------------------------------------------------------------------------------------- build

const READY_MARK = 'build-complete';

export async function ensureLauncherBuilt({ log, env }: LauncherOptions): Promise<string> {
  const sourceDir = launcherSourceDir();
  const buildDir = launcherBuildDir(env, sourceDir);
  if (existsSync(join(buildDir, READY_MARK))) return buildDir;
  await fs.mkdir(dirname(buildDir), { recursive: true });
  const lock = `${buildDir}.build-lock`;
  const waitingSince = Date.now();
  let lastTold = 0;
  while (!tryLock(lock)) {
    if (Date.now() - lastTold > 15_000) {
      const holder = readLockPid(lock);
      log(`[db] another process${holder ? ` (pid ${holder})` : ''} is building the embedded database; waiting (${Math.round((Date.now() - waitingSince) / 1000)} s)`);
      lastTold = Date.now();
    }
    await sleep(500);
    if (existsSync(join(buildDir, READY_MARK))) return buildDir;
    if (Date.now() - waitingSince > 20 * 60_000) throw new Error(`gave up waiting for the build lock ${lock}`);
  }
  try {
    if (!existsSync(join(buildDir, READY_MARK))) await buildLauncher(sourceDir, buildDir, log, env);
  } finally {
    releaseLock(lock);
  }
  return buildDir;
}

async function buildLauncher(sourceDir: string, buildDir: string, log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  await requireTool('java', ['-version'], env);
  await requireTool('mvn', ['-v'], env);
  const startedAt = Date.now();
  const temporary = `${buildDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  log(`[db] building the embedded database (mongo-java-server ${MONGO_JAVA_SERVER_VERSION}) with Maven into ${buildDir}`);
  log('[db]   first run only: ~20 s with a warm Maven cache, a few minutes with a cold one');
  let downloads = 0;
  const ticker = setInterval(() => {
    log(`[db]   ... Maven still working: ${downloads} files downloaded, ${Math.round((Date.now() - startedAt) / 1000)} s`);
  }, 10_000);
  try {
    await runCommand(
      'mvn',
      ['-B', '-Dstyle.color=never', '-f', join(sourceDir, 'pom.xml'), `-Dzapdesk.buildDirectory=${temporary}`, 'package'],
      {
        env,
        cwd: sourceDir,
        onLine: (line) => {
          if (/Downloaded from /.test(line)) downloads += 1;
          if (/^\[ERROR\]/.test(line)) log(`[db]   maven: ${line}`);
        },
      },
    );
    await fs.writeFile(join(temporary, READY_MARK), new Date().toISOString());
    try {
      await fs.rename(temporary, buildDir);
    } catch (error) {
      // Only one builder holds the lock, but a leftover directory from an interrupted build may exist.
      await fs.rm(buildDir, { recursive: true, force: true });
      await fs.rename(temporary, buildDir).catch(() => {
        throw error;
      });
    }
    log(`[db] embedded database built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (${downloads} files downloaded)`);
  } finally {
    clearInterval(ticker);
    await fs.rm(temporary, { recursive: true, force: true });
  }
}

async function requireTool(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await runCommand(command, args, { env });
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `'${command}' is not on PATH` : (error as Error).message.split('\n')[0];
    throw new Error(
      `the embedded database (mongo-java-server) needs '${command}': ${why}. To fix: ${INSTALL_HINT}; ` +
        'or set MONGODB_URI to a running MongoDB.',
    );
  }
}

// ---------------------------------------------------------------------------------------- run

interface Instance {
  stop(): Promise<void>;
  killNow(): void;
}

/** One registry per process (jest may load this module more than once), cleaned on exit. */
function liveInstances(): Set<Instance> {
  const key = Symbol.for('zapdesk.embedded-mongo.instances');
  const holder = globalThis as unknown as Record<symbol, Set<Instance> | undefined>;
  const existing = holder[key];
  if (existing) return existing;
  const live = new Set<Instance>();
  holder[key] = live;
  // The child also stops by itself when its stdin closes, which is what a killed parent leaves.
  process.once('exit', () => live.forEach((instance) => instance.killNow()));
  return live;
}

async function launch(buildDir: string, { log, env, h2File, port: wantedPort }: MongoJavaServerOptions): Promise<LaunchedServer> {
  const heap = env.ZAPDESK_EMBEDDED_DB_HEAP || '1g';
  const args = [
    `-Xmx${heap}`,
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-Dorg.slf4j.simpleLogger.logFile=System.err',
    // It warns at every createIndex that secondary indexes are not implemented (they are only ignored).
    '-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.backend.AbstractMongoDatabase=error',
    // "Closing N clients" at every stop: the pooled connections it closes are ours, on purpose.
    '-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.MongoServer=error',
    '-cp',
    [join(buildDir, 'embedded-mongo-1.0.0.jar'), join(buildDir, 'lib', '*')].join(':'),
    LAUNCHER_CLASS,
    '--port',
    String(wantedPort ?? 0),
    ...(h2File ? ['--h2-file', resolve(h2File)] : []),
  ];
  // Own process group: a terminal's Ctrl-C reaches the service, which stops the database last.
  const child = spawn('java', args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const output = new OutputTail([child.stderr], (line) => {
    if (line.trim() !== '') log(`[db] mongo-java-server: ${line}`);
  });
  let stopping = false;
  const ended = new Promise<string>((resolveEnded) => {
    child.once('error', (error) => resolveEnded(error.message));
    child.once('exit', (code, signal) => resolveEnded(signal ?? `exit code ${code}`));
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port announced within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line.trim());
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    void ended.then((how) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited before it listened (${how})\n${output.text()}`));
    });
  });
  void ended.then((how) => {
    if (!stopping) log(`[db] mongo-java-server on port ${port} ended unexpectedly (${how})`);
  });

  const live = liveInstances();
  let stopped: Promise<void> | undefined;
  const instance: Instance = {
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        // Held while it stops: an unreferenced child would let the process end before it exits.
        child.ref();
        // Closing stdin is the launcher's signal to commit and stop; signals only if it does not.
        child.stdin?.end();
        if ((await Promise.race([ended.then(() => 'ended'), sleep(STOP_GRACE_MS, true)])) !== 'ended') {
          await terminate(child, ended, STOP_GRACE_MS);
        }
        live.delete(instance);
      })()),
    killNow: () => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
  live.add(instance);
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  return { uri: `mongodb://127.0.0.1:${port}/`, ...(child.pid !== undefined ? { pid: child.pid } : {}), stop: instance.stop };
}
