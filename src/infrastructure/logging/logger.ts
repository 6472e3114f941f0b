import type { Options } from 'pino-http';
import pino from 'pino';

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

export function pinoHttpOptions(level = process.env.LOG_LEVEL ?? 'info'): Options {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
  };
}

/** Logger for code outside HTTP requests (bootstrap, workers, CLI). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): pino.Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
