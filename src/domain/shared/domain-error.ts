/**
 * What kind of rule was broken; the HTTP error filter maps each kind to one status
 * (invalid 400, forbidden 403, not_found 404, conflict 409, business_rule 422, concurrency 409,
 * upstream 502: Twilio refused or failed a request the answer needs, unavailable 503: try again).
 */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'business_rule' | 'concurrency' | 'upstream' | 'unavailable';

/** Field-level detail of an invalid value, e.g. `{ field: 'whatsappNumber', issue: 'not E.164' }`. */
export interface ErrorDetail {
  readonly field: string;
  readonly issue: string;
}

export class DomainError extends Error {
  constructor(
    /** Stable, documented code such as `INTEGRATION.NUMBER_IN_USE`. */
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class InvalidValueError extends DomainError {
  constructor(field: string, issue: string) {
    super('VALIDATION.INVALID_VALUE', 'invalid', `${field}: ${issue}`, [{ field, issue }]);
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(aggregate: string, from: string, to: string) {
    super(`${aggregate.toUpperCase()}.INVALID_TRANSITION`, 'conflict', `${aggregate} cannot go from ${from} to ${to}`);
  }
}

export class NotFoundError extends DomainError {
  constructor(aggregate: string, id: string) {
    super(`${aggregate.toUpperCase()}.NOT_FOUND`, 'not_found', `${aggregate} ${id} was not found`);
  }
}

/** A write based on a stale read: somebody else changed the aggregate in between. */
export class ConcurrencyError extends DomainError {
  constructor(aggregate: string, id: string) {
    super('PERSISTENCE.STALE_WRITE', 'concurrency', `${aggregate} ${id} was changed concurrently; reload and try again`);
  }
}
