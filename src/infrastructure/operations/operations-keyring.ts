import { AesGcmSecretCipher, parseKeyring } from '../crypto/aes-gcm-secret-cipher';
import { dataDirectory } from '../config/data-directory';
import { developmentSecret } from '../config/development-secrets';

/**
 * The cipher the service would build from the same environment: `ENCRYPTION_KEYS` (else the data
 * folder's development key, as `npm start` does outside production) and `ENCRYPTION_KEY_ID`
 * (else the first key). Errors name variables and key ids, never keys.
 */
export function operationsCipher(env: NodeJS.ProcessEnv = process.env): AesGcmSecretCipher {
  let keysText = env.ENCRYPTION_KEYS ?? '';
  if (!keysText) {
    if (env.NODE_ENV === 'production') throw new Error('NODE_ENV=production needs ENCRYPTION_KEYS');
    keysText = developmentSecret(dataDirectory(env), 'encryptionKeys').value;
  }
  const keyring = parseKeyring(keysText);
  const activeKeyId = env.ENCRYPTION_KEY_ID || [...keyring.keys()][0]!;
  if (!keyring.has(activeKeyId)) throw new Error(`ENCRYPTION_KEY_ID "${activeKeyId}" is not in ENCRYPTION_KEYS`);
  return new AesGcmSecretCipher(keyring, activeKeyId);
}
