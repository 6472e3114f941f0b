import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openOperationsDatabase } from '../operations-database';
import { OperationsIo, errorMessage } from '../operations-io';
import { BackupFormatError } from './backup-format';
import { DatabaseNotEmptyError, restoreBackup, verifyBackup } from './backup-restore';
import { writeBackup } from './backup-writer';

export const BACKUP_USAGE = `usage: npm run backup -- --out FILE [--overwrite]
  Writes integrations (auth tokens still encrypted), tickets, messages, notifications and
  accepted-but-unfiled inbound messages to FILE (gzip'd NDJSON). Works while the service runs;
  see docs/operations.md for what a backup taken under traffic holds.
  Database: MONGODB_URI, else the embedded database of the data folder (as npm start).`;

export const RESTORE_USAGE = `usage: npm run restore -- --in FILE [--force]
  Restores a backup into an EMPTY database (stop the service first). --force empties a database
  holding Zapdesk data first. The file is checked whole before anything is written.
  Database: MONGODB_URI, else the embedded database of the data folder (as npm start).`;

/** `npm run backup -- --out FILE`: 0 written, 1 failed, 2 bad arguments. */
export async function runBackupCommand(args: readonly string[], io: OperationsIo): Promise<number> {
  const parsed = parse(args, { out: { type: 'string', short: 'o' }, overwrite: { type: 'boolean' } }, BACKUP_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const out = parsed.out;
  if (typeof out !== 'string' || out === '') {
    io.err(`--out FILE is required\n${BACKUP_USAGE}`);
    return 2;
  }
  const file = resolve(out);
  if (existsSync(file) && parsed.overwrite !== true) {
    io.err(`backup: ${file} exists: choose another name, or pass --overwrite`);
    return 2;
  }
  const database = await openOperationsDatabase(io.env ?? process.env, io.err);
  try {
    io.err(`backup: from ${database.description}`);
    const result = await writeBackup({
      connection: database.connection,
      file,
      progress: (p) => io.err(`backup: ${p.collection} ${p.written}/${p.expected} (${p.totalWritten} documents in all)`),
    });
    const counts = Object.entries(result.counts).map(([name, count]) => `${name} ${count}`).join(', ');
    io.out(`backup written to ${file} (${result.bytes} bytes): ${counts}`);
    if (!result.quiescent) io.err('backup: the service changed data during the backup; each document is as it was when read (see docs/operations.md)');
    return 0;
  } catch (error) {
    io.err(`backup: ${errorMessage(error)}`);
    return 1;
  } finally {
    await database.close();
  }
}

/** `npm run restore -- --in FILE [--force]`: 0 restored, 1 refused or failed, 2 bad arguments. */
export async function runRestoreCommand(args: readonly string[], io: OperationsIo): Promise<number> {
  const parsed = parse(args, { in: { type: 'string', short: 'i' }, force: { type: 'boolean' } }, RESTORE_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const input = parsed.in;
  if (typeof input !== 'string' || input === '') {
    io.err(`--in FILE is required\n${RESTORE_USAGE}`);
    return 2;
  }
  const file = resolve(input);
  if (!existsSync(file)) {
    io.err(`restore: ${file} does not exist`);
    return 2;
  }
  try {
    // Checked before any database is opened or started: a foreign file fails fast.
    await verifyBackup(file);
  } catch (error) {
    io.err(`restore: ${errorMessage(error)}`);
    return 1;
  }
  const database = await openOperationsDatabase(io.env ?? process.env, io.err);
  try {
    io.err(`restore: into ${database.description}`);
    const result = await restoreBackup({
      connection: database.connection,
      file,
      force: parsed.force === true,
      progress: (p) => io.err(`restore: ${p.collection} ${p.restored}/${p.expected}`),
    });
    const counts = Object.entries(result.counts).map(([name, count]) => `${name} ${count}`).join(', ');
    io.out(`restored ${file} (taken ${result.header.createdAt}): ${counts}`);
    return 0;
  } catch (error) {
    if (error instanceof DatabaseNotEmptyError || error instanceof BackupFormatError) io.err(`restore: ${error.message}`);
    else io.err(`restore failed: ${errorMessage(error)}`);
    return 1;
  } finally {
    await database.close();
  }
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(args: readonly string[], options: Options, usage: string, io: OperationsIo): Record<string, string | boolean | undefined> | number {
  try {
    const { values } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    if (values.help) {
      io.out(usage);
      return 0;
    }
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    io.err(`${errorMessage(error)}\n${usage}`);
    return 2;
  }
}
