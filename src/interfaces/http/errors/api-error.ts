import { ErrorDetail } from '../../../domain/shared/domain-error';

/** The one JSON error shape of the API: `{"error": {"code", "message", "details"?}}`. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: readonly ErrorDetail[] };
}

/** An HTTP-level refusal raised by interface code (auth, validation, size). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}
