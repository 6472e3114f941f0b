import { InvalidValueError } from './domain-error';

const COMPANY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Tenancy key: every repository method and command carries one. */
export function assertCompanyId(value: unknown, field = 'companyId'): string {
  if (typeof value !== 'string' || !COMPANY_ID.test(value)) {
    throw new InvalidValueError(field, 'must be 1-64 letters, digits, "_" or "-"');
  }
  return value;
}
