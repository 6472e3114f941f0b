import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretCipher } from '../../application/ports/secret-cipher.port';
import { AuthToken, EncryptedSecret } from '../../domain/integration/auth-token';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export type Keyring = ReadonlyMap<string, Buffer>;

/**
 * AES-256-GCM with a keyring: new secrets use the active key, old ones decrypt with the key
 * whose id is stored beside them, so keys can rotate without a flag day.
 * Ciphertext layout: base64(iv | auth tag | ciphertext); the key id is authenticated data.
 */
export class AesGcmSecretCipher implements SecretCipher {
  constructor(private readonly keys: Keyring, readonly activeKeyId: string) {
    if (!keys.has(activeKeyId)) throw new Error(`ENCRYPTION_KEY_ID names key "${activeKeyId}", which ENCRYPTION_KEYS does not contain`);
  }

  encrypt(token: AuthToken): EncryptedSecret {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(this.activeKeyId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(token.reveal(), 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64'), keyId: this.activeKeyId };
  }

  decrypt(secret: EncryptedSecret): AuthToken {
    const key = this.keys.get(secret.keyId);
    if (!key) throw new Error(`no encryption key "${secret.keyId}" in the keyring`);
    const raw = Buffer.from(secret.ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(secret.keyId, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const clear = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return AuthToken.of(clear.toString('utf8'));
  }
}

/**
 * Parses `ENCRYPTION_KEYS`: comma-separated `id:base64key` pairs, each key 32 bytes.
 * Error messages name the key id, never the key.
 */
export function parseKeyring(value: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator) : '';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error('ENCRYPTION_KEYS: each entry must be "<id>:<base64 32-byte key>"');
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (key.length !== 32) throw new Error(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes, base64-encoded`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new Error('ENCRYPTION_KEYS is empty');
  return keys;
}

export function generateKeyringEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
