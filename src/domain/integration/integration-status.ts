import { InvalidTransitionError } from '../shared/domain-error';

export const INTEGRATION_STATUSES = ['pending', 'active', 'inactive', 'error'] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

/** The only transitions an integration may take. */
const ALLOWED: Record<IntegrationStatus, readonly IntegrationStatus[]> = {
  pending: ['active', 'error'],
  active: ['inactive', 'error'],
  inactive: ['active', 'error'],
  // From error, a successful validation re-activates; an admin may also switch it off.
  error: ['active', 'inactive'],
};

export function canTransition(from: IntegrationStatus, to: IntegrationStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(from: IntegrationStatus, to: IntegrationStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError('integration', from, to);
}
