import type { LoggerService } from '@nestjs/common';
import type { Options } from 'pino-http';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { randomUUID } from 'node:crypto';
import { currentRequestId } from './request-context';

/**
 * Paths never written to logs. Tokens travel in headers, query strings and a few body
 * fields; pino's redaction replaces them wherever they appear in a log object.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers.cookie',
  'authToken',
  '*.authToken',
  '*.*.authToken',
  'password',
  '*.password',
];

/** Strips `access_token` (EventSource auth) from URLs before they are logged. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

/** Request logging of the HTTP app, as child of the service's logger (same format, same redaction). */
export function pinoHttpOptions(logger: pino.Logger): Options {
  return {
    logger,
    // The id assignRequestId gave the request (the caller's X-Request-Id when plausible).
    genReqId: (req) => (typeof (req as { id?: unknown }).id === 'string' ? (req as { id: string }).id : randomUUID()),
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/health/ready' || req.url === '/metrics' },
  };
}

export type LogFormat = 'json' | 'pretty';

/** `LOG_FORMAT` (`json` or `pretty`); otherwise readable lines for a person at a terminal, JSON for machines. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout): LogFormat {
  const configured = env.LOG_FORMAT?.trim().toLowerCase();
  if (configured === 'json' || configured === 'pretty') return configured;
  return stdout.isTTY ? 'pretty' : 'json';
}

export interface LoggerOptions {
  readonly level?: string;
  /** Where lines go; stdout when omitted. */
  readonly destination?: NodeJS.WritableStream;
  readonly format?: LogFormat;
}

/** The service's one logger (bootstrap, HTTP, workers, shutdown), JSON or one readable line per entry. */
export function createLogger(options: LoggerOptions = {}): pino.Logger {
  const pinoOptions: pino.LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Lines written while serving a request (by any code, not only pino-http's) name it.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { reqId: requestId };
    },
  };
  const format = options.format ?? logFormat(process.env, options.destination ? {} : process.stdout);
  if (format === 'pretty') {
    const destination = options.destination ?? process.stdout;
    // In-process and synchronous (no worker thread): lines keep their order with process exit.
    return pino(pinoOptions, pinoPretty({
      destination,
      sync: true,
      colorize: destination === process.stdout && process.stdout.isTTY === true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    }));
  }
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** Nest's own start-up chatter (one line per route and module) is debug, not info. */
const CHATTY_NEST_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

/** Nest's logger, through ours, with the route-mapping lines moved to debug. */
export class QuietNestLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && CHATTY_NEST_CONTEXTS.has(context)) {
      this.inner.debug?.(message, ...optionalParams);
      return;
    }
    this.inner.log(message, ...optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.error(message, ...optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.warn(message, ...optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.debug?.(message, ...optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.verbose?.(message, ...optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...optionalParams);
  }
}
