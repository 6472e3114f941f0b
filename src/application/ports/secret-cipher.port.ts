import { AuthToken, EncryptedSecret } from '../../domain/integration/auth-token';

/** Encrypts auth tokens at rest with the active key of a keyring; decrypts with whichever key was used. */
export interface SecretCipher {
  encrypt(token: AuthToken): EncryptedSecret;
  decrypt(secret: EncryptedSecret): AuthToken;
  /** Id of the key new secrets are encrypted with (a secret under another key should be re-encrypted). */
  readonly activeKeyId: string;
}
