import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorKind } from '../../../domain/shared/domain-error';
import { ApiError, ApiErrorBody } from './api-error';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  concurrency: 409,
  business_rule: 422,
  upstream: 502,
  unavailable: 503,
};

const CODE_OF_HTTP_STATUS: Record<number, string> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'REQUEST.NOT_FOUND',
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'REQUEST.RATE_LIMITED',
  503: 'SERVICE.UNAVAILABLE',
};

/** Maps every error to the API's JSON error shape; unknown errors become a bare 500. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toResponse(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  private toResponse(exception: unknown): [number, ApiErrorBody] {
    if (exception instanceof ApiError) return [exception.status, exception.toBody()];
    if (exception instanceof DomainError) {
      const details = exception.details ? { details: exception.details } : {};
      return [STATUS_OF_KIND[exception.kind], { error: { code: exception.code, message: exception.message, ...details } }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, { error: { code: CODE_OF_HTTP_STATUS[status] ?? `HTTP.${status}`, message: httpMessage(exception) } }];
    }
    // body-parser errors (too large, malformed) carry a status and a type.
    const parserStatus = (exception as { status?: unknown; type?: unknown } | null)?.status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500) {
      const message = parserStatus === 413 ? 'request body is too large' : 'request body could not be parsed';
      return [parserStatus, { error: { code: CODE_OF_HTTP_STATUS[parserStatus] ?? 'REQUEST.INVALID', message } }];
    }
    if (isDatabaseUnavailable(exception)) {
      return [503, { error: { code: 'SERVICE.DATABASE_UNAVAILABLE', message: 'the database is unreachable; try again shortly' } }];
    }
    return [500, { error: { code: 'SERVICE.INTERNAL', message: 'internal error' } }];
  }
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return typeof message === 'string' ? message : exception.message;
}

const DATABASE_UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNotConnectedError',
  'MongoNetworkTimeoutError',
  'MongoServerClosedError',
  'MongoTopologyClosedError',
  // A pooled connection's server went away while the command waited for it.
  'MongoPoolClearedError',
]);

const SOCKET_GONE_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ENOTCONN']);

/** The database (not the request) failed: a driver error saying so, or one caused by such an error. */
function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && DATABASE_UNAVAILABLE_ERRORS.has(name)) return true;
  // An insertMany cut off with its connection: no document was refused, the server went away.
  if (name === 'MongoBulkWriteError' && !hasWriteErrors(error)) return true;
  // The driver writing to a socket the server closed throws Node's own error (EPIPE), unwrapped.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_GONE_CODES.has(code)) return true;
  return isDatabaseUnavailable((error as { cause?: unknown }).cause, depth + 1);
}

function hasWriteErrors(error: object): boolean {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  return Array.isArray(writeErrors) ? writeErrors.length > 0 : writeErrors !== undefined && writeErrors !== null;
}
