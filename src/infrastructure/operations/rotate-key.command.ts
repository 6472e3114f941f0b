import { parseArgs } from 'node:util';
import { rotateEncryptionKey } from './encryption-key-rotation';
import { openOperationsDatabase } from './operations-database';
import { operationsCipher } from './operations-keyring';
import { OperationsIo, errorMessage } from './operations-io';

export const ROTATE_KEY_USAGE = `usage: npm run rotate-key
  Re-encrypts every stored Twilio auth token under the active key (ENCRYPTION_KEY_ID, else the
  first key of ENCRYPTION_KEYS). Safe while the service runs; run it again to continue after
  an interruption. Keep the old key in ENCRYPTION_KEYS until it reports 0 failed.
  Database: MONGODB_URI, else the embedded database of the data folder (as npm start).`;

/** `npm run rotate-key`: 0 every token under the active key, 1 some failed, 2 bad arguments. */
export async function runRotateKeyCommand(args: readonly string[], io: OperationsIo): Promise<number> {
  let help = false;
  try {
    ({ values: { help = false } } = parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    io.err(`${errorMessage(error)}\n${ROTATE_KEY_USAGE}`);
    return 2;
  }
  if (help) {
    io.out(ROTATE_KEY_USAGE);
    return 0;
  }
  const env = io.env ?? process.env;
  let cipher;
  try {
    cipher = operationsCipher(env);
  } catch (error) {
    io.err(`rotate-key: ${errorMessage(error)}`);
    return 2;
  }
  const database = await openOperationsDatabase(env, io.err);
  try {
    io.err(`rotate-key: ${database.description}; active key "${cipher.activeKeyId}"`);
    const result = await rotateEncryptionKey({
      connection: database.connection,
      cipher,
      progress: (p) => io.err(`rotate-key: ${p.checked}/${p.total} checked (re-encrypted ${p.reEncrypted}, already current ${p.alreadyCurrent}, failed ${p.failed})`),
    });
    for (const failure of result.failures) io.err(`rotate-key: integration ${failure.integrationId} failed: ${failure.reason}`);
    io.out(`re-encrypted ${result.reEncrypted}, already current ${result.alreadyCurrent}, failed ${result.failed}`);
    return result.failed === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}
