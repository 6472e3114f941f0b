import { randomBytes } from 'node:crypto';
import { Keyring, generateKeyringEntry, parseKeyring } from '../crypto/aes-gcm-secret-cipher';

/** Everything the service reads from the environment, checked once at start. */
export interface ServiceEnvironment {
  readonly production: boolean;
  readonly port: number;
  /** Null means "http://localhost:<actual port>", known only once the server listens. */
  readonly apiUrl: string | null;
  readonly mongodbUri: string | null;
  readonly jwtSecret: string;
  readonly keyring: Keyring;
  readonly activeKeyId: string;
  readonly masterAccount: { accountSid: string; authToken: string } | null;
  readonly whatsappNumber: string | null;
  readonly twilioApiUrl: string | null;
  readonly senderPollIntervalMs: number;
  /** Notes for the operator about generated development values (never the values' secrets). */
  readonly warnings: readonly string[];
  /** A generated JWT secret, printed once at start in development so tokens can be made. */
  readonly generatedJwtSecret: string | null;
}

export class EnvironmentError extends Error {}

export function readServiceEnvironment(env: NodeJS.ProcessEnv = process.env): ServiceEnvironment {
  const production = env.NODE_ENV === 'production';
  const warnings: string[] = [];
  const missing: string[] = [];
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvironmentError('PORT must be a port number');

  const apiUrl = env.API_URL ? env.API_URL.replace(/\/+$/, '') : null;
  if (apiUrl && !/^https?:\/\/[^\s]+$/.test(apiUrl)) throw new EnvironmentError('API_URL must be an http(s) URL');

  if (production) {
    if (!env.MONGODB_URI) missing.push('MONGODB_URI');
    if (!env.JWT_SECRET) missing.push('JWT_SECRET');
    if (!env.ENCRYPTION_KEYS) missing.push('ENCRYPTION_KEYS');
    if (!env.TWILIO_ACCOUNT_SID) missing.push('TWILIO_ACCOUNT_SID');
    if (!env.TWILIO_AUTH_TOKEN) missing.push('TWILIO_AUTH_TOKEN');
    if (!apiUrl || !apiUrl.startsWith('https://')) missing.push('API_URL (https://...)');
    if (missing.length > 0) throw new EnvironmentError(`NODE_ENV=production needs: ${missing.join(', ')}`);
  }

  let jwtSecret = env.JWT_SECRET ?? '';
  let generatedJwtSecret: string | null = null;
  if (!jwtSecret) {
    jwtSecret = generatedJwtSecret = randomBytes(32).toString('hex');
    warnings.push('JWT_SECRET is not set: generated a development secret for this run');
  }

  let keysText = env.ENCRYPTION_KEYS ?? '';
  if (!keysText) {
    keysText = generateKeyringEntry('dev');
    warnings.push('ENCRYPTION_KEYS is not set: generated a development key for this run (tokens stored now will not decrypt after a restart)');
  }
  const keyring = parseKeyring(keysText);
  const activeKeyId = env.ENCRYPTION_KEY_ID ?? [...keyring.keys()][0]!;
  if (!keyring.has(activeKeyId)) throw new EnvironmentError(`ENCRYPTION_KEY_ID "${activeKeyId}" is not in ENCRYPTION_KEYS`);

  const hasSid = Boolean(env.TWILIO_ACCOUNT_SID);
  if (hasSid !== Boolean(env.TWILIO_AUTH_TOKEN)) throw new EnvironmentError('set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither');

  const poll = Number(env.SENDER_POLL_INTERVAL_MS ?? 60_000);
  return {
    production,
    port,
    apiUrl,
    mongodbUri: env.MONGODB_URI || null,
    jwtSecret,
    keyring,
    activeKeyId,
    masterAccount: hasSid ? { accountSid: env.TWILIO_ACCOUNT_SID!, authToken: env.TWILIO_AUTH_TOKEN! } : null,
    whatsappNumber: env.TWILIO_WHATSAPP_NUMBER || null,
    twilioApiUrl: env.TWILIO_API_URL ? env.TWILIO_API_URL.replace(/\/+$/, '') : null,
    senderPollIntervalMs: Number.isFinite(poll) && poll > 0 ? poll : 60_000,
    warnings,
    generatedJwtSecret,
  };
}
