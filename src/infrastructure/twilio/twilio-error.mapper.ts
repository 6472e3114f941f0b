import RestException from 'twilio/lib/base/RestException';
import { TwilioGatewayError, type TwilioFailureKind } from '../../application/ports/twilio-gateway.port';
import { TwilioHttpException, TwilioTransportError } from './twilio-request-client';

/** Twilio codes that mean "try again later" whatever the HTTP status. */
const TRANSIENT_CODES = new Set([20429, 63018]);

export function classifyTwilioFailure(httpStatus: number | undefined, code: number | undefined): TwilioFailureKind {
  if (code === 20003 || httpStatus === 401) return 'auth';
  if (code === 20404 || httpStatus === 404) return 'not_found';
  if (httpStatus === 429 || (code !== undefined && TRANSIENT_CODES.has(code)) || (httpStatus !== undefined && httpStatus >= 500)) {
    return 'transient';
  }
  return 'permanent';
}

/** Any failure of an SDK call → a classified TwilioGatewayError whose message holds no secret. */
export function toTwilioGatewayError(error: unknown, operation: string, secrets: readonly string[]): TwilioGatewayError {
  if (error instanceof TwilioGatewayError) return error;
  const clean = (text: string): string => redact(text, secrets);
  if (error instanceof TwilioTransportError) {
    return new TwilioGatewayError('transient', undefined, undefined, clean(`${operation}: ${error.message}${error.errorCode ? ` (${error.errorCode})` : ''}`));
  }
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const code = codeOf(error);
    const text = error instanceof Error && error.message ? error.message : `HTTP ${status}`;
    const retryAfter = error instanceof TwilioHttpException ? error.retryAfterMs : undefined;
    return new TwilioGatewayError(
      classifyTwilioFailure(status, code),
      code,
      status,
      clean(`${operation} failed: HTTP ${status}${code === undefined ? '' : `, Twilio error ${code}`}: ${text}`),
      retryAfter,
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return new TwilioGatewayError('permanent', undefined, undefined, clean(`${operation} failed: ${text}`));
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof RestException) return error.status;
  // TwilioServiceException (RFC 9457 bodies) is not exported by the SDK's index; match its shape.
  const candidate = error as { status?: unknown; name?: unknown } | null;
  if (error instanceof Error && typeof candidate?.status === 'number') return candidate.status;
  return undefined;
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Removes tokens (clear and inside a Basic header) from a message. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text.replace(/Basic\s+[A-Za-z0-9+/=]+/g, 'Basic [redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}
