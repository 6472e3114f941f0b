import { randomBytes } from 'node:crypto';
import { RunningService, startService } from '../infrastructure/bootstrap/start-service';
import { RunningDatabase, withDatabaseName } from '../infrastructure/persistence/database/database-server';
import { freePorts } from '../infrastructure/persistence/database/free-port';
import { TwilioEmulator } from '../emulator/twilio-emulator';

export interface BenchService {
  readonly service: RunningService;
  /** The service's public URL (API_URL): webhooks are signed for it. */
  readonly apiUrl: string;
  /** HS256 secret of this run's bearer tokens. */
  readonly jwtSecret: string;
}

/**
 * The real service for a benchmark: its own database on the run's server, Twilio through the
 * emulator, fresh secrets, and its log (warnings only) on stderr with the progress lines,
 * never in the report on stdout.
 */
export async function startBenchService(input: {
  readonly database: RunningDatabase;
  readonly emulator: TwilioEmulator;
  readonly dbName: string;
  readonly startWorkers?: boolean;
}): Promise<BenchService> {
  const [port] = await freePorts(1);
  const apiUrl = `http://127.0.0.1:${port}`;
  const jwtSecret = randomBytes(32).toString('hex');
  const service = await startService({
    env: {
      JWT_SECRET: jwtSecret,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      API_URL: apiUrl,
      TWILIO_API_URL: input.emulator.url,
      TWILIO_ACCOUNT_SID: input.emulator.masterAccount.accountSid,
      TWILIO_AUTH_TOKEN: input.emulator.masterAccount.authToken,
      // Service settings a run may vary (how the event log is tailed, its poll interval).
      ...pick(process.env, ['EVENT_LOG_TAIL', 'EVENT_LOG_POLL_MS', 'INBOUND_FILING_CONCURRENCY', 'DELIVERY_CONCURRENCY', 'DELIVERY_RATE_GUARD_MS']),
    },
    host: '127.0.0.1',
    port,
    mongodbUri: withDatabaseName(input.database.uri, input.dbName),
    logLevel: 'warn',
    logDestination: process.stderr,
    ...(input.startWorkers === undefined ? {} : { startWorkers: input.startWorkers }),
  });
  return { service, apiUrl, jwtSecret };
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [name, env[name]!]));
}
