import { Connection, mongo } from 'mongoose';
import { SecretCipher } from '../../application/ports/secret-cipher.port';
import { EncryptedSecret } from '../../domain/integration/auth-token';
import { IntegrationDocument, integrationModel } from '../persistence/mongoose/integration/integration.schema';

export interface KeyRotationProgress {
  /** Integrations with a stored auth token at the start (others may appear meanwhile). */
  readonly total: number;
  readonly checked: number;
  readonly reEncrypted: number;
  readonly alreadyCurrent: number;
  readonly failed: number;
}

export interface KeyRotationResult extends KeyRotationProgress {
  /** Integration ids and why (never a token or a key). */
  readonly failures: ReadonlyArray<{ readonly integrationId: string; readonly reason: string }>;
}

export interface KeyRotationOptions {
  readonly connection: Connection;
  /** Decrypts with any key of the keyring; encrypts with its active key. */
  readonly cipher: SecretCipher;
  readonly progress?: (progress: KeyRotationProgress) => void;
  /** How often progress is reported, in integrations checked. */
  readonly progressEvery?: number;
  /** Tries per integration when the service changes it meanwhile. */
  readonly maxAttempts?: number;
}

type StoredSecret = Pick<IntegrationDocument, '_id' | 'version' | 'authToken' | 'operations'>;

const PROJECTION = { _id: 1, version: 1, authToken: 1, 'operations.pendingAuthToken': 1 } as const;

/** Where an integration keeps encrypted secrets: its token, and the new one while a token rotation is pending. */
function secretsOf(doc: StoredSecret): Array<{ path: string; secret: EncryptedSecret }> {
  const secrets: Array<{ path: string; secret: EncryptedSecret }> = [];
  if (doc.authToken) secrets.push({ path: 'authToken', secret: doc.authToken });
  const pending = doc.operations?.pendingAuthToken;
  if (pending) secrets.push({ path: 'operations.pendingAuthToken', secret: pending });
  return secrets;
}

/**
 * Re-encrypts every stored Twilio auth token under the cipher's active key, while the service
 * runs. Each token moves with ONE conditional update on the document's version and old
 * ciphertext, which also moves the version on: a concurrent write of the integration wins or
 * loses as a whole against it, so nothing is ever overwritten (a lost race is re-read and
 * tried again). Every token is under the old or the new key at any moment, and the keyring
 * holds both, so tokens stay readable throughout and after a crash; running it again
 * continues, as tokens already under the active key are skipped.
 */
export async function rotateEncryptionKey(options: KeyRotationOptions): Promise<KeyRotationResult> {
  const { cipher } = options;
  const collection = integrationModel(options.connection).collection as unknown as mongo.Collection<IntegrationDocument>;
  const maxAttempts = options.maxAttempts ?? 5;
  const every = options.progressEvery ?? 100;
  const withToken = { $or: [{ authToken: { $ne: null } }, { 'operations.pendingAuthToken': { $ne: null } }] };
  const total = await collection.countDocuments(withToken);
  let checked = 0;
  let reEncrypted = 0;
  let alreadyCurrent = 0;
  const failures: Array<{ integrationId: string; reason: string }> = [];
  const report = () => options.progress?.({ total, checked, reEncrypted, alreadyCurrent, failed: failures.length });

  const cursor = collection.find(withToken, { projection: PROJECTION, sort: { _id: 1 }, batchSize: 200 });
  try {
    for await (const first of cursor as AsyncIterable<StoredSecret>) {
      checked += 1;
      const outcome = await rotateOne(collection, cipher, first, maxAttempts);
      if (outcome === 're-encrypted') reEncrypted += 1;
      else if (outcome === 'current') alreadyCurrent += 1;
      else failures.push({ integrationId: first._id, reason: outcome.failed });
      if (checked % every === 0) report();
    }
  } finally {
    await cursor.close();
  }
  report();
  return { total, checked, reEncrypted, alreadyCurrent, failed: failures.length, failures };
}

type Outcome = 're-encrypted' | 'current' | { failed: string };

async function rotateOne(collection: mongo.Collection<IntegrationDocument>, cipher: SecretCipher, first: StoredSecret, maxAttempts: number): Promise<Outcome> {
  let doc: StoredSecret | null = first;
  for (let attempt = 1; ; attempt += 1) {
    // Removed, or its tokens cleared, meanwhile: nothing left under the old key.
    const stale = doc === null ? [] : secretsOf(doc).filter(({ secret }) => secret.keyId !== cipher.activeKeyId);
    if (doc === null || stale.length === 0) return 'current';
    const filter: mongo.Filter<IntegrationDocument> = { _id: doc._id, version: doc.version };
    const update: Record<string, EncryptedSecret> = {};
    for (const { path, secret } of stale) {
      try {
        const token = cipher.decrypt(secret);
        const next = cipher.encrypt(token);
        // Written only once the new ciphertext is known to give the same token back.
        if (!cipher.decrypt(next).equals(token)) return { failed: 're-encrypted token did not decrypt to the same value' };
        update[path] = { ciphertext: next.ciphertext, keyId: next.keyId };
      } catch (error) {
        return { failed: describeCipherError(error, secret.keyId) };
      }
      Object.assign(filter, { [`${path}.keyId`]: secret.keyId, [`${path}.ciphertext`]: secret.ciphertext });
    }
    const result = await collection.updateOne(filter, { $set: update, $inc: { version: 1 } });
    if (result.matchedCount === 1) return 're-encrypted';
    if (attempt >= maxAttempts) return { failed: `changed concurrently ${maxAttempts} times in a row; run rotate-key again` };
    doc = await collection.findOne({ _id: doc._id }, { projection: PROJECTION });
  }
}

/** Names the key id, never the key or the token. */
function describeCipherError(error: unknown, keyId: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('no encryption key')) return `its key "${keyId}" is not in ENCRYPTION_KEYS`;
  return `could not decrypt it with key "${keyId}" (wrong key for this id, or damaged ciphertext)`;
}
