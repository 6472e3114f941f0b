import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateKeyringEntry } from '../crypto/aes-gcm-secret-cipher';

/** Files of the data folder that hold development secrets (mode 0600). */
export const DEVELOPMENT_SECRET_FILES = {
  jwtSecret: 'jwt-secret',
  encryptionKeys: 'encryption-keys',
} as const;

export type DevelopmentSecretName = keyof typeof DEVELOPMENT_SECRET_FILES;

const GENERATORS: Record<DevelopmentSecretName, () => string> = {
  jwtSecret: () => randomBytes(32).toString('hex'),
  encryptionKeys: () => generateKeyringEntry('dev'),
};

/**
 * A development secret kept in the data folder: read when the file exists, otherwise generated
 * once and written with mode 0600 (written aside, then hard-linked into place, which fails if
 * the file appeared meanwhile: two processes starting together end up with the same value,
 * and nobody ever reads a half-written file). Never used in production (NODE_ENV=production requires real values).
 */
export function developmentSecret(dataDir: string, name: DevelopmentSecretName, generate = GENERATORS[name]): { value: string; created: boolean } {
  const file = join(dataDir, DEVELOPMENT_SECRET_FILES[name]);
  const existing = readSecretFile(file);
  if (existing !== null) return { value: existing, created: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const value = generate();
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${value}\n`, { mode: 0o600 });
  try {
    linkSync(aside, file);
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process created it first: use theirs.
    const theirs = readSecretFile(file);
    if (theirs === null) throw new Error(`${file} is empty: delete it to generate a new one`);
    return { value: theirs, created: false };
  } finally {
    rmSync(aside, { force: true });
  }
}

function readSecretFile(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // Owner-only, whatever an editor or a copy did to the mode.
  chmodSync(file, 0o600);
  const value = text.trim();
  return value === '' ? null : value;
}
