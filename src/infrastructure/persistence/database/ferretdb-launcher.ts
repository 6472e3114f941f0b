import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promises as fs, rmSync, writeFileSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mongo } from 'mongoose';
import { canConnect, freePorts } from './free-port';
import type { LaunchedServer, LauncherOptions } from './memory-server-launcher';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`;
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** `${ZAPDESK_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/zapdesk}/ferretdb-v1.24.2/bin/ferretdb` */
export function ferretDbBinaryPath(env: NodeJS.ProcessEnv): string {
  const base = env.ZAPDESK_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'zapdesk');
  return join(base, `ferretdb-${FERRETDB_VERSION}`, 'bin', 'ferretdb');
}

/** Builds FerretDB (once, cached) and starts it on a free loopback port with a fresh SQLite data dir. */
export async function startFerretDb(options: LauncherOptions): Promise<LaunchedServer> {
  const binary = await ensureFerretDbBinary(options);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(binary, options);
    } catch (error) {
      // Another process may grab a port between freePorts() and FerretDB's bind.
      if (attempt >= 3 || !/address already in use/i.test(String(error))) throw error;
      options.log(`[db] FerretDB port was taken, retrying (attempt ${attempt + 1})`);
    }
  }
}

// ---------------------------------------------------------------------------------------- build

export async function ensureFerretDbBinary({ log, env }: LauncherOptions): Promise<string> {
  const binary = ferretDbBinaryPath(env);
  if (await isUsable(binary)) return binary;
  await fs.mkdir(dirname(binary), { recursive: true });
  const lock = `${binary}.build-lock`;
  const waitingSince = Date.now();
  let told = false;
  while (!tryLock(lock)) {
    const holder = readLockPid(lock);
    if (!told && holder !== undefined) {
      log(`[db] another process (pid ${holder}) is building FerretDB; waiting for it`);
      told = true;
    }
    await sleep(1000);
    if (await isUsable(binary)) return binary;
    if (Date.now() - waitingSince > 20 * 60_000) throw new Error(`gave up waiting for the FerretDB build lock ${lock}`);
  }
  try {
    if (!(await isUsable(binary))) await buildFerretDb(binary, log, env);
  } finally {
    rmSync(lock, { force: true });
  }
  return binary;
}

function tryLock(lock: string): boolean {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const pid = readLockPid(lock);
  const stale = pid !== undefined ? !isAlive(pid) : Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 10_000;
  if (stale) {
    try {
      unlinkSync(lock);
    } catch {
      // someone else removed it first
    }
  }
  return false;
}

function readLockPid(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A plain `go install` build panics at start (no build/version/version.txt); `--version` catches that. */
function isUsable(binary: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (error, stdout) => resolve(!error && stdout.includes(FERRETDB_VERSION)));
  });
}

async function buildFerretDb(target: string, log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  const goEnv: NodeJS.ProcessEnv = { ...env, GOFLAGS: '-mod=mod', GOWORK: 'off' };
  try {
    await run('go', ['version'], { env: goEnv });
  } catch (error) {
    throw new Error(
      `FerretDB ${FERRETDB_VERSION} must be built once, which needs the Go toolchain ('go' on PATH): ${(error as Error).message}. ` +
        'Install Go, or set MONGODB_URI to a running MongoDB, or MONGOMS_SYSTEM_BINARY to a mongod binary.',
    );
  }
  const startedAt = Date.now();
  let step = 'fetching the FerretDB module';
  const ticker = setInterval(() => log(`[db]   ... still ${step} (${Math.round((Date.now() - startedAt) / 1000)} s)`), 15_000);
  const source = await fs.mkdtemp(join(tmpdir(), 'zapdesk-ferretdb-src-'));
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  log(`[db] building FerretDB ${FERRETDB_VERSION} into ${target} (once; ~10 s with a warm Go module cache, minutes cold)`);
  try {
    log(`[db]   step 1/3: ${step} (go mod download)`);
    const { stdout } = await run('go', ['mod', 'download', '-json', MODULE], { env: goEnv, cwd: tmpdir() });
    const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${MODULE} failed: ${info.Error ?? stdout}`);

    step = 'preparing the sources';
    log(`[db]   step 2/3: ${step} (copy, add build/version/version.txt)`);
    await fs.cp(info.Dir, source, { recursive: true });
    await makeWritable(source);
    await fs.writeFile(join(source, 'build', 'version', 'version.txt'), FERRETDB_VERSION);

    step = 'compiling FerretDB';
    log(`[db]   step 3/3: ${step} (go build; also fetches its dependencies on a cold Go module cache)`);
    await run('go', ['build', '-o', temporary, './cmd/ferretdb'], { env: goEnv, cwd: source, onLine: (line) => log(`[db]   go: ${line}`) });
    if (!(await isUsable(temporary))) throw new Error('the freshly built FerretDB does not report its version');
    await fs.rename(temporary, target);
    log(`[db] FerretDB built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  } finally {
    clearInterval(ticker);
    await fs.rm(source, { recursive: true, force: true });
    await fs.rm(temporary, { force: true });
  }
}

async function makeWritable(path: string): Promise<void> {
  const stat = await fs.lstat(path);
  if (stat.isSymbolicLink()) return;
  await fs.chmod(path, stat.mode | 0o200);
  if (stat.isDirectory()) {
    for (const entry of await fs.readdir(path)) await makeWritable(join(path, entry));
  }
}

function run(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void },
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const stderr = new OutputTail([child.stderr], options.onLine);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ stdout });
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})\n${stderr.text()}`));
    });
  });
}

/** Keeps the last lines of a stream (for error messages), optionally forwarding each line. */
class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(streams: NodeJS.ReadableStream[], private readonly onLine?: (line: string) => void) {
    for (const stream of streams) {
      stream.on('data', (chunk: Buffer) => {
        const parts = (this.partial + chunk.toString()).split('\n');
        this.partial = parts.pop() ?? '';
        for (const line of parts) this.push(line);
      });
    }
  }

  text(): string {
    return [...this.lines, this.partial].filter((line) => line.trim() !== '').join('\n');
  }

  private push(line: string): void {
    this.onLine?.(line);
    this.lines.push(line);
    if (this.lines.length > 40) this.lines.shift();
  }
}

// ---------------------------------------------------------------------------------------- run

interface Instance {
  stop(): Promise<void>;
  killNow(): void;
}

/** One registry per process (jest may load this module more than once), cleaned on exit/SIGINT/SIGTERM. */
function liveInstances(): Set<Instance> {
  const key = Symbol.for('zapdesk.ferretdb.instances');
  const holder = globalThis as unknown as Record<symbol, Set<Instance> | undefined>;
  const existing = holder[key];
  if (existing) return existing;
  const live = new Set<Instance>();
  holder[key] = live;
  process.once('exit', () => live.forEach((instance) => instance.killNow()));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      // When someone else also listens, they own the shutdown; the 'exit' hook still kills FerretDB.
      if (process.listenerCount(signal) > 1) return;
      void Promise.allSettled([...live].map((instance) => instance.stop())).finally(() => {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
  return live;
}

async function launch(binary: string, { log }: LauncherOptions): Promise<LaunchedServer> {
  const [port, debugPort] = await freePorts(2);
  const dataDir = await fs.mkdtemp(join(tmpdir(), 'zapdesk-ferretdb-data-'));
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      `--debug-addr=127.0.0.1:${debugPort}`,
      '--log-level=warn',
    ],
    // Own process group: a terminal Ctrl-C reaches us, and we stop FerretDB in order.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const output = new OutputTail([child.stdout, child.stderr]);
  let stopping = false;
  let ready = false;
  const ended = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`));
  });
  void ended.then((how) => {
    if (ready && !stopping) log(`[db] FerretDB on port ${port} ended unexpectedly (${how})\n${output.text()}`);
  });

  const live = liveInstances();
  let stopped: Promise<void> | undefined;
  const instance: Instance = {
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        await terminate(child, ended);
        live.delete(instance);
        await fs.rm(dataDir, { recursive: true, force: true });
      })()),
    killNow: () => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  live.add(instance);

  const uri = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitUntilReady(uri, port, ended);
    ready = true;
  } catch (error) {
    await instance.stop();
    throw new Error(`FerretDB did not start: ${(error as Error).message}\n${output.text()}`);
  }
  return { uri, stop: instance.stop };
}

async function terminate(child: ChildProcess, ended: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  if ((await Promise.race([ended, sleep(STOP_GRACE_MS, true)])) !== undefined) return;
  child.kill('SIGKILL');
  await Promise.race([ended, sleep(STOP_GRACE_MS, true)]);
}

async function waitUntilReady(uri: string, port: number, ended: Promise<string>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited: string | undefined;
  void ended.then((how) => (exited = how));
  let lastProblem = 'no TCP listener yet';
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`it exited (${exited})`);
    if (await canConnect('127.0.0.1', port, 500)) {
      const client = new mongo.MongoClient(uri, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
      try {
        await client.db('admin').command({ ping: 1 });
        return;
      } catch (error) {
        lastProblem = (error as Error).message;
      } finally {
        await client.close().catch(() => undefined);
      }
    }
    await sleep(100);
  }
  throw new Error(`no answer to ping within ${READY_TIMEOUT_MS / 1000} s (${lastProblem})`);
}

/** `unref` for grace periods that must not keep the process alive once their race is decided. */
function sleep(ms: number, unref = false): Promise<undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    if (unref) timer.unref();
  });
}
