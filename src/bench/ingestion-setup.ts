import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { RunningService } from '../infrastructure/bootstrap/start-service';
import type { RunningDatabase } from '../infrastructure/persistence/database/database-server';
import { startBenchDatabase, type BenchBackend } from './bench-database';
import { startTwilioEmulator, type TwilioEmulator } from '../infrastructure/twilio/emulator/twilio-emulator';
import { startBaselineServer, type BaselineServer } from './baseline-server';
import { startBenchService } from './bench-service';

/** Our WhatsApp number in the bench's emulator account. */
export const BENCH_WHATSAPP_NUMBER = '+14155550100';
export const WEBHOOK_PATH = '/ticket-messages/webhook';

export interface IngestionSetup {
  readonly database: RunningDatabase;
  readonly service: RunningService;
  readonly baseline: BaselineServer;
  readonly emulator: TwilioEmulator;
  /** The integration the webhooks are for, and the emulator account that owns its number. */
  readonly integrationId: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** HS256 secret of the service's bearer tokens. */
  readonly jwtSecret: string;
  /** Where webhooks are posted, and the public URL they are signed for (the same here). */
  readonly serviceWebhookUrl: string;
  readonly baselineWebhookUrl: string;
  close(): Promise<void>;
}

/**
 * Database server (MONGODB_URI or the embedded one), Twilio emulator, the service and the
 * baseline, each database named for this run; `close` stops all and drops both databases.
 */
export async function startIngestionSetup(
  log: (line: string) => void,
  options: { readonly startWorkers: boolean; readonly backend: BenchBackend },
): Promise<IngestionSetup> {
  const cleanups: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  try {
    const database = await startBenchDatabase(log, options.backend);
    cleanups.push(() => database.stop());
    const runId = randomBytes(4).toString('hex');

    const emulator = await startTwilioEmulator({ senderOnlineDelayMs: 0 });
    cleanups.push(() => emulator.close());

    const { service, apiUrl, jwtSecret } = await startBenchService({ database, emulator, dbName: `bench_service_${runId}`, startWorkers: options.startWorkers });
    cleanups.push(async () => {
      await service.connection.dropDatabase();
      await service.close();
    });

    const baseline = await startBaselineServer({ mongodbUri: database.uri, dbName: `bench_baseline_${runId}` });
    cleanups.push(async () => {
      await baseline.db.dropDatabase();
      await baseline.close();
    });

    const account = emulator.state.createAccount('zapdesk ingestion bench', null);
    emulator.state.ownNumber(account.sid, BENCH_WHATSAPP_NUMBER);
    const integrationId = await createActiveIntegration(apiUrl, jwtSecret, account.sid, account.authToken);
    log(`[bench] ${database.kind} database, service at ${apiUrl}, baseline at ${baseline.url}, integration ${integrationId} active`);

    return {
      database,
      service,
      baseline,
      emulator,
      integrationId,
      accountSid: account.sid,
      authToken: account.authToken,
      jwtSecret,
      serviceWebhookUrl: `${apiUrl}${WEBHOOK_PATH}`,
      baselineWebhookUrl: `${baseline.url}${WEBHOOK_PATH}`,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Through the HTTP API, as an admin would: an `existing`-mode integration, then wait for `active`. */
async function createActiveIntegration(apiUrl: string, jwtSecret: string, accountSid: string, authToken: string): Promise<string> {
  const token = jwt.sign({ sub: 'bench-admin', companyId: 'bench-company', role: 'admin' }, jwtSecret, { algorithm: 'HS256', expiresIn: '1h' });
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const created = await fetch(`${apiUrl}/integrations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ mode: 'existing', accountSid, authToken, whatsappNumber: BENCH_WHATSAPP_NUMBER }),
  });
  const body = (await created.json()) as { id?: string; status?: string; error?: { code: string; message: string } };
  if (created.status !== 201 || !body.id) {
    throw new Error(`creating the bench integration answered ${created.status}: ${body.error?.code ?? ''} ${body.error?.message ?? ''}`);
  }
  const deadline = Date.now() + 10_000;
  for (let status = body.status; status !== 'active'; ) {
    if (Date.now() > deadline) throw new Error(`the bench integration is ${status}, not active, after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const read = await fetch(`${apiUrl}/integrations/${body.id}`, { headers });
    status = ((await read.json()) as { status?: string }).status;
  }
  return body.id;
}

/** Waits until the service's inbox is empty: every acknowledged message filed. Returns the wait. */
export async function waitUntilFiled(setup: Pick<IngestionSetup, 'service'>, timeoutMs = 600_000): Promise<number> {
  const db = setup.service.connection.db;
  if (!db) throw new Error('the service database connection is closed');
  const startedAt = Date.now();
  while ((await db.collection('inbound_inbox').countDocuments()) > 0) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`the service had not filed its accepted messages after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - startedAt;
}
