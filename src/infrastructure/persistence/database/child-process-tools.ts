import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';

/** Runs a command to its end; rejects with the last lines of its output when it fails. */
export function runCommand(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void },
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const output = new OutputTail([child.stdout, child.stderr], options.onLine);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ stdout });
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})\n${output.text()}`));
    });
  });
}

/** Keeps the last lines of some streams (for error messages), optionally forwarding each line. */
export class OutputTail {
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

/**
 * A lock file holding the owner's pid, for one-time builds shared by concurrent processes (two
 * jest runs, `npm start` beside `npm test`). A lock whose owner died is taken over.
 */
export function tryLock(lock: string): boolean {
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

export function releaseLock(lock: string): void {
  rmSync(lock, { force: true });
}

export function readLockPid(lock: string): number | undefined {
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

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function terminate(child: ChildProcess, ended: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  if ((await Promise.race([ended.then(() => 'ended'), sleep(graceMs, true)])) === 'ended') return;
  child.kill('SIGKILL');
  await Promise.race([ended, sleep(graceMs, true)]);
}

/** `unref` for grace periods that must not keep the process alive once their race is decided. */
export function sleep(ms: number, unref = false): Promise<undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    if (unref) timer.unref();
  });
}
