import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<data folder>/runtime.json`: how to reach the service that runs on this data folder, for the
 * command-line tools (`npm run simulate` finds the embedded emulator there). Written once the
 * service listens when it runs an embedded emulator or database, removed when it stops cleanly;
 * a file left by a crash names a dead pid.
 */
export interface RuntimeInfo {
  readonly pid: number;
  readonly serviceUrl: string;
  readonly apiUrl: string;
  /** The embedded Twilio emulator, when one runs. */
  readonly emulatorUrl: string | null;
  /** The embedded database server the service started (no credentials): operations commands use it while it runs. */
  readonly databaseUri?: string | null;
  readonly startedAt: string;
}

export const RUNTIME_FILE = 'runtime.json';

export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, RUNTIME_FILE);
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(aside, file);
  return () => {
    // Only our own: a newer service on the same folder may have replaced it.
    if (readRuntimeFile(dataDir)?.pid === info.pid) rmSync(file, { force: true });
  };
}

export function readRuntimeFile(dataDir: string): RuntimeInfo | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return null;
    throw error;
  }
}

/** Whether the process that wrote the file still runs. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
