import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Container } from 'inversify';
import { Connection } from 'mongoose';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { DeliveryHooks } from '../../application/delivery/delivery-processor';
import { Clock } from '../../application/ports/clock.port';
import { dataDirectory } from '../config/data-directory';
import { ServiceEnvironment, readServiceEnvironment } from '../config/service-environment';
import { serveApiDocs } from '../di/api-docs';
import { AppModule } from '../di/app.module';
import { CORE_MODULES } from '../di/core-modules';
import { buildCoreContainer, ensureIndexes } from '../di/core-container';
import { createLogger } from '../logging/logger';
import { startDatabaseServer, redactMongoUri, RunningDatabase } from '../persistence/database/database-server';
import { freePorts } from '../persistence/database/free-port';
import { openDatabaseConnection } from '../persistence/mongoose/connection';
import { assertSupportedServer } from '../persistence/mongoose/supported-server';
import { ProvisioningWorker } from '../workers/provisioning-worker';
import { startTwilioEmulator } from '../twilio/emulator/twilio-emulator';

export interface StartServiceOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides PORT; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Overrides MONGODB_URI (tests pass the run's server). */
  readonly mongodbUri?: string;
  readonly dbName?: string;
  readonly logLevel?: string;
  readonly logDestination?: NodeJS.WritableStream;
  readonly clock?: Clock;
  readonly provisioningIntervalMs?: number;
  readonly twilioTimeoutMs?: number;
  /** Tests start the background workers themselves (or not at all). */
  readonly startWorkers?: boolean;
  /** Test-only seams of the delivery process. */
  readonly deliveryHooks?: DeliveryHooks;
}

export interface RunningService {
  readonly url: string;
  readonly app: INestApplication;
  readonly container: Container;
  readonly connection: Connection;
  readonly environment: ServiceEnvironment;
  /** The embedded Twilio emulator's URL when no Twilio account is configured. */
  readonly twilioApiUrl: string | null;
  close(): Promise<void>;
}

/**
 * Starts the whole service: database (configured or embedded), Twilio (configured or the
 * embedded emulator), the core container and the HTTP app. Used by main.ts and e2e tests.
 */
export async function startService(options: StartServiceOptions = {}): Promise<RunningService> {
  const environment = readServiceEnvironment(options.env ?? process.env);
  const log = createLogger(options.logLevel, options.logDestination);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    for (const warning of environment.warnings) log.warn(warning);

    let database: RunningDatabase | null = null;
    let mongodbUri = options.mongodbUri ?? environment.mongodbUri;
    if (!mongodbUri) {
      // The embedded default keeps its data between runs, in the data folder.
      database = await startDatabaseServer({ log: (line) => log.info(line), persistentDataDir: dataDirectory(options.env ?? process.env) });
      cleanups.push(() => database!.stop());
      mongodbUri = database.uri;
    }
    log.info({ database: database?.kind ?? 'external', uri: redactMongoUri(mongodbUri) }, 'database chosen');

    let twilioApiUrl = environment.twilioApiUrl;
    let masterAccount = environment.masterAccount;
    if (!masterAccount && !twilioApiUrl) {
      const emulator = await startTwilioEmulator({ port: 0 });
      cleanups.push(() => emulator.close());
      twilioApiUrl = emulator.url;
      masterAccount = emulator.masterAccount;
      log.warn({ twilioApiUrl }, 'no Twilio account configured: using the embedded Twilio emulator');
    }

    const host = options.host ?? process.env.HOST ?? '0.0.0.0';
    let port = options.port ?? environment.port;
    if (port === 0) [port] = await freePorts(1, host);
    const apiUrl = environment.apiUrl ?? `http://localhost:${port}`;

    const connection = await openDatabaseConnection({ uri: mongodbUri, ...(options.dbName ? { dbName: options.dbName } : {}) });
    cleanups.push(() => connection.close());
    await assertSupportedServer(connection);
    const container = buildCoreContainer({
      connection,
      environment,
      apiUrl,
      masterAccount,
      twilioApiUrl,
      reportError: (error) => log.error({ err: error }, 'background work failed'),
      warn: (message, context) => log.warn(context ?? {}, message),
      ...(options.provisioningIntervalMs ? { provisioningIntervalMs: options.provisioningIntervalMs } : {}),
      ...(options.twilioTimeoutMs ? { twilioTimeoutMs: options.twilioTimeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.deliveryHooks ? { deliveryHooks: options.deliveryHooks } : {}),
    });
    await ensureIndexes(container);

    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({
        container,
        jwtSecret: environment.jwtSecret,
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
        ...(options.logDestination ? { logDestination: options.logDestination } : {}),
      }),
      { bufferLogs: true, bodyParser: false },
    );
    app.useLogger(app.get(PinoNestLogger));
    app.disable('x-powered-by');
    // Small limits: our JSON bodies and Twilio's webhooks are a few KB; larger is refused with 413.
    app.useBodyParser('json', { limit: '64kb' });
    app.useBodyParser('urlencoded', { limit: '64kb', extended: false, parameterLimit: 200 });
    serveApiDocs(app);
    await app.listen(port, host);
    cleanups.unshift(() => app.close());
    if (options.startWorkers !== false) {
      const provisioning = container.get(ProvisioningWorker);
      provisioning.start();
      cleanups.unshift(() => provisioning.stop());
      for (const module of CORE_MODULES) {
        for (const worker of module.workers?.(container) ?? []) {
          worker.start();
          cleanups.unshift(() => worker.stop());
        }
      }
    }
    if (environment.generatedJwtSecret) {
      // Printed once so a developer can mint tokens for the dev run; never in production.
      process.stderr.write(`zapdesk: development JWT_SECRET for this run: ${environment.generatedJwtSecret}\n`);
    }
    log.info({ host, port, apiUrl }, 'zapdesk is listening');

    const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return {
      url: `http://${localHost}:${port}`,
      app,
      container,
      connection,
      environment,
      twilioApiUrl,
      close: () => runAll(cleanups),
    };
  } catch (error) {
    await runAll(cleanups);
    throw error;
  }
}

async function runAll(cleanups: Array<() => Promise<void>>): Promise<void> {
  for (const cleanup of cleanups.splice(0)) {
    try {
      await cleanup();
    } catch {
      /* best effort on shutdown */
    }
  }
}
