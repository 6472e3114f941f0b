import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Container } from 'inversify';
import { Connection } from 'mongoose';
import type pino from 'pino';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { DeliveryHooks } from '../../application/delivery/delivery-processor';
import { Clock } from '../../application/ports/clock.port';
import { dataDirectory } from '../config/data-directory';
import { ServiceEnvironment, readServiceEnvironment } from '../config/service-environment';
import { serveApiDocs } from '../di/api-docs';
import { AppModule } from '../di/app.module';
import { CORE_MODULES } from '../di/core-modules';
import { buildCoreContainer, ensureIndexes } from '../di/core-container';
import { QuietNestLogger, createLogger, logFormat } from '../logging/logger';
import { startDatabaseServer, redactMongoUri, RunningDatabase } from '../persistence/database/database-server';
import { freePorts } from '../persistence/database/free-port';
import { openDatabaseConnection } from '../persistence/mongoose/connection';
import { assertSupportedServer } from '../persistence/mongoose/supported-server';
import { ConsoleConfig, serveConsole } from './console-assets';
import { ProvisioningWorker } from '../workers/provisioning-worker';
import { InboundFilingProcess } from '../../application/message/inbound-inbox/inbound-filing.process';
import { TOKENS } from '../../application/ports/tokens';
import { BackgroundWorker } from '../di/core-module';
import { ServiceLifecycle } from '../di/service-lifecycle';
import { assignRequestId } from '../logging/request-context';
import { databaseMetricsSources } from '../observability/database-metrics-sources';
import { ServiceMetrics } from '../observability/service-metrics';
import { webhookMetrics } from '../observability/webhook-metrics.middleware';
import { EventLogReader } from '../persistence/mongoose/event-log/event-log.reader';
import { EventLogTailer } from '../realtime/event-log-tailer';
import { SseHub } from '../realtime/sse-hub';
import { drain } from './graceful-shutdown';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { join } from 'node:path';
import { startTwilioEmulator, type TwilioEmulator } from '../../emulator/twilio-emulator';
import { SIMULATOR_PATH, isLoopbackOrigin } from '../../emulator/simulator/simulator-http';
import { writeRuntimeFile } from '../config/runtime-file';
import { DEMO_WHATSAPP_NUMBER, demoTokens, ensureDemoWorkspace, readyBanner } from './demo-workspace';

export type { ConsoleConfig } from './console-assets';

/** The embedded emulator's state file in the data folder (emulated accounts and their credentials). */
export const EMULATOR_STATE_FILE = 'twilio-emulator.json';
/** A reply containing this fails once with Twilio error 30008 (embedded emulator only): to try retries. */
export const FAIL_MARKER = '#fail';

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
  /** The logger to use (main.ts makes it first, to log a failed start and the shutdown too). */
  readonly logger?: pino.Logger;
  readonly clock?: Clock;
  readonly provisioningIntervalMs?: number;
  readonly twilioTimeoutMs?: number;
  /** Tests start the background workers themselves (or not at all). */
  readonly startWorkers?: boolean;
  /** What `GET /console/config.json` answers; default: computed (simulator and demo tokens in the embedded demo default only). */
  readonly consoleConfig?: ConsoleConfig;
  /** Where the built console is served from (default dist/console); tests build their own copy. */
  readonly consoleDirectory?: string;
  /** Tests: create the demo workspace though a database is given (default: only on the embedded database). */
  readonly demo?: boolean;
  /** Test-only seams of the delivery process. */
  readonly deliveryHooks?: DeliveryHooks;
}

export interface RunningService {
  readonly url: string;
  readonly app: INestApplication;
  readonly container: Container;
  readonly connection: Connection;
  readonly environment: ServiceEnvironment;
  readonly log: pino.Logger;
  /** The embedded Twilio emulator's URL when no Twilio account is configured. */
  readonly twilioApiUrl: string | null;
  /** This instance's Prometheus metrics (its own registry). */
  readonly metrics: ServiceMetrics;
  /**
   * Stops gracefully: no new connections, requests under way answered, SSE streams ended with a
   * retry hint, background work finished (or cut at SHUTDOWN_GRACE_MS) and its leases given
   * back, then the app, the database connection and the embedded parts closed.
   */
  close(): Promise<void>;
}

/**
 * Starts the whole service: database (configured or embedded), Twilio (configured or the
 * embedded emulator), the core container and the HTTP app. Used by main.ts and e2e tests.
 */
export async function startService(options: StartServiceOptions = {}): Promise<RunningService> {
  const env = options.env ?? process.env;
  const environment = readServiceEnvironment(env);
  const dataDir = dataDirectory(env);
  const format = options.logDestination ? 'json' : logFormat(env);
  const log =
    options.logger ??
    createLogger({
      ...(options.logLevel ? { level: options.logLevel } : {}),
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  const cleanups: Array<() => Promise<void>> = [];
  let closing: Promise<void> | null = null;
  try {
    for (const warning of environment.warnings) log.warn(warning);

    let database: RunningDatabase | null = null;
    let mongodbUri = options.mongodbUri ?? environment.mongodbUri;
    if (!mongodbUri) {
      // The embedded default keeps its data between runs, in the data folder.
      database = await startDatabaseServer({ log: (line) => logDatabaseLine(log, line), env, persistentDataDir: dataDir });
      cleanups.push(() => database!.stop());
      mongodbUri = database.uri;
    }
    log.info({ database: database?.kind ?? 'external', uri: redactMongoUri(mongodbUri) }, 'database chosen');

    const host = options.host ?? process.env.HOST ?? '0.0.0.0';
    let port = options.port ?? environment.port;
    if (port === 0) [port] = await freePorts(1, host);
    const apiUrl = environment.apiUrl ?? `http://localhost:${port}`;

    // The demo workspace comes with the full embedded default only: no database, no Twilio given.
    const demo = (options.demo ?? database !== null) && !environment.masterAccount && !environment.twilioApiUrl;
    // The demo company's development tokens: printed when ready and given to the console.
    const tokens = demo ? demoTokens(environment.jwtSecret) : null;
    let twilioApiUrl = environment.twilioApiUrl;
    let masterAccount = environment.masterAccount;
    let emulator: TwilioEmulator | null = null;
    if (!masterAccount && !twilioApiUrl) {
      const apiOrigin = new URL(apiUrl).origin;
      const started = await startTwilioEmulator({
        port: environment.emulator.port,
        // Emulated accounts and their credentials outlive the run, like the integrations stored with them.
        stateFile: join(dataDir, EMULATOR_STATE_FILE),
        messageLifecycle: { stepDelayMs: environment.emulator.stepDelayMs, finalStatus: 'read', sendCallbacks: true },
        failMarker: FAIL_MARKER,
        reportError: (error) => log.error({ err: error }, 'Twilio emulator: internal error'),
        simulator: {
          defaultTo: () => (demo ? DEMO_WHATSAPP_NUMBER : undefined),
          allowOrigin: (origin) => origin === apiOrigin || isLoopbackOrigin(origin),
        },
      });
      emulator = started;
      cleanups.push(() => started.close());
      twilioApiUrl = started.url;
      masterAccount = started.masterAccount;
      log.warn({ twilioApiUrl }, 'no Twilio account configured: using the embedded Twilio emulator');
    }

    const consoleConfig: ConsoleConfig = options.consoleConfig ?? {
      simulatorUrl: emulator ? `${emulator.url}${SIMULATOR_PATH}` : null,
      // Only the embedded demo default hands out its demo tokens (to the console's sign-in).
      demo: tokens,
    };

    const metrics = new ServiceMetrics();
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
      info: (message, context) => log.info(context ?? {}, message),
      ...(options.provisioningIntervalMs ? { provisioningIntervalMs: options.provisioningIntervalMs } : {}),
      ...(options.twilioTimeoutMs ? { twilioTimeoutMs: options.twilioTimeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.deliveryHooks ? { deliveryHooks: options.deliveryHooks } : {}),
      sendMetrics: metrics,
    });
    await ensureIndexes(container);
    const lifecycle = new ServiceLifecycle(container.get(TOKENS.DatabaseHealth), metrics, environment.operations.metricsToken);

    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({
        container,
        jwtSecret: environment.jwtSecret,
        logger: log,
        operations: lifecycle,
      }),
      { bufferLogs: true, bodyParser: false },
    );
    // First of all: the request id every log line of the request carries.
    app.use(assignRequestId);
    // While stopping, answered keep-alive connections close (the client's next request goes elsewhere).
    app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      if (lifecycle.stopping) res.setHeader('Connection', 'close');
      next();
    });
    app.use(webhookMetrics(metrics));
    const hub = container.get(SseHub);
    const tailer = container.get(EventLogTailer);
    metrics.observe(
      databaseMetricsSources(connection, { sseSubscribers: () => hub.streamCount, tailPosition: () => tailer.position, eventLog: container.get(EventLogReader) }),
    );
    app.useLogger(new QuietNestLogger(app.get(PinoNestLogger)));
    app.disable('x-powered-by');
    // Small limits: our JSON bodies and Twilio's webhooks are a few KB; larger is refused with 413.
    app.useBodyParser('json', { limit: '64kb' });
    app.useBodyParser('urlencoded', { limit: '64kb', extended: false, parameterLimit: 200 });
    serveConsole(app, consoleConfig, options.consoleDirectory);
    serveApiDocs(app);
    await app.listen(port, host);
    cleanups.unshift(() => app.close());
    // Stopped in the reverse order of their start (by the drain, before the app closes).
    const workers: BackgroundWorker[] = [];
    if (options.startWorkers !== false) {
      const provisioning = container.get(ProvisioningWorker);
      provisioning.start();
      workers.unshift(provisioning);
      for (const module of CORE_MODULES) {
        for (const worker of module.workers?.(container) ?? []) {
          worker.start();
          workers.unshift(worker);
        }
      }
    }
    // A failed start below still stops the workers.
    cleanups.unshift(async () => {
      for (const worker of workers) await worker.stop();
    });
    lifecycle.running(options.startWorkers !== false);
    log.info({ host, port, apiUrl }, 'zapdesk is listening');
    const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const url = `http://${localHost}:${port}`;

    if (emulator !== null || database !== null) {
      // `npm run simulate` finds the emulator here; rotate-key/backup/restore the embedded database.
      const runtime = { pid: process.pid, serviceUrl: url, apiUrl, emulatorUrl: emulator?.url ?? null, databaseUri: database?.uri ?? null, startedAt: new Date().toISOString() };
      const removeRuntimeFile = writeRuntimeFile(dataDir, runtime);
      cleanups.unshift(async () => removeRuntimeFile());
    }
    if (tokens !== null && emulator !== null) {
      try {
        const { record } = await ensureDemoWorkspace({ dataDir, emulator, commands: app.get(CommandBus), queries: app.get(QueryBus), log });
        // The one place a credential is printed on purpose: development tokens of the demo company.
        if (format === 'pretty') log.info(readyBanner({ apiUrl, tokens, whatsappNumber: record.whatsappNumber }));
        else log.info({ consoleUrl: `${apiUrl}/console`, adminToken: tokens.adminToken, agentToken: tokens.agentToken, whatsappNumber: record.whatsappNumber, tryNext: 'npm run simulate -- --body "Olá"' }, 'demo workspace ready');
      } catch (error) {
        // The service itself is fine; only the demo is missing.
        log.error({ err: error }, 'could not create the demo workspace (npm run reset starts over)');
      }
    }

    return {
      url,
      app,
      container,
      connection,
      environment,
      log,
      twilioApiUrl,
      metrics,
      close: async () => {
        if (closing) return closing;
        closing = (async () => {
          const summary = await drain({
            server: app.getHttpServer(),
            beginStopping: () => lifecycle.beginStopping(),
            closeStreams: () => hub.close(),
            workers,
            giveUp: () => container.get(InboundFilingProcess).stop(),
            graceMs: environment.operations.shutdownGraceMs,
            log,
          });
          log.info(summary, 'shutdown: drained');
          await runAll(cleanups);
        })();
        return closing;
      },
    };
  } catch (error) {
    await runAll(cleanups);
    throw error;
  }
}

/** The embedded database's own chatter about index options it ignores is debug, not info. */
function logDatabaseLine(log: pino.Logger, line: string): void {
  if (/is not yet implemented\. ignoring$/.test(line)) log.debug(line);
  else log.info(line);
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
