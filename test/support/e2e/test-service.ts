import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { RunningService, StartServiceOptions, startService } from '../../../src/infrastructure/bootstrap/start-service';
import { TwilioEmulator, TwilioEmulatorOptions, startTwilioEmulator } from '../../../src/emulator/twilio-emulator';
import { testDatabaseUri } from '../database/test-database';

export const TEST_JWT_SECRET = 'test-jwt-secret-for-e2e-only-0123456789';
/** One keyring for every instance of a test run: instances on one database share keys, as in production. */
const TEST_ENCRYPTION_KEYS = `k1:${randomBytes(32).toString('base64')}`;

export interface TestService {
  readonly service: RunningService;
  readonly emulator: TwilioEmulator;
  readonly http: ReturnType<typeof request>;
  /** Every log line the service wrote, for secret scans. */
  logs(): string;
  token(companyId: string, role: 'admin' | 'agent', userId?: string): string;
  close(): Promise<void>;
}

/**
 * The real service over HTTP against the run's database server (this file's own database)
 * and a Twilio emulator, with the real SDK between them.
 */
export async function startTestService(
  options: {
    emulator?: TwilioEmulatorOptions;
    service?: Partial<StartServiceOptions>;
    env?: NodeJS.ProcessEnv;
    /** Another instance's emulator (several instances on one database); its owner closes it. */
    sharedEmulator?: TwilioEmulator;
  } = {},
): Promise<TestService> {
  const emulator = options.sharedEmulator ?? (await startTwilioEmulator({ senderOnlineDelayMs: 50, ...options.emulator }));
  const logStream = new PassThrough();
  const logChunks: string[] = [];
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk.toString('utf8')));
  const service = await startService({
    env: {
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      TWILIO_API_URL: emulator.url,
      TWILIO_ACCOUNT_SID: emulator.masterAccount.accountSid,
      TWILIO_AUTH_TOKEN: emulator.masterAccount.authToken,
      SENDER_POLL_INTERVAL_MS: '50',
      // The integration monitor stays out of other tests' way; its own tests set a short interval.
      MONITOR_INTERVAL_MS: '3600000',
      ...options.env,
    },
    port: 0,
    mongodbUri: testDatabaseUri(),
    logLevel: 'debug',
    logDestination: logStream,
    provisioningIntervalMs: 100,
    twilioTimeoutMs: 2000,
    ...options.service,
  });
  return {
    service,
    emulator,
    http: request(service.url),
    logs: () => logChunks.join(''),
    token: (companyId, role, userId = `${role}-of-${companyId}`) =>
      jwt.sign({ sub: userId, companyId, role }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' }),
    close: async () => {
      await service.close();
      if (!options.sharedEmulator) await emulator.close();
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
