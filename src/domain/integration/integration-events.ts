import { DomainEvent } from '../shared/domain-event';
import { IntegrationStatus } from './integration-status';

export interface IntegrationCreated extends DomainEvent {
  readonly name: 'integration.created';
  readonly mode: 'provision' | 'existing';
}

export interface IntegrationStatusChanged extends DomainEvent {
  readonly name: 'integration.status_changed';
  readonly from: IntegrationStatus;
  readonly to: IntegrationStatus;
  /** Set when the change is a failure; never contains secrets. */
  readonly reason?: string;
}

export interface IntegrationSettingsChanged extends DomainEvent {
  readonly name: 'integration.settings_changed';
}

export interface IntegrationProvisioningProgressed extends DomainEvent {
  readonly name: 'integration.provisioning_progressed';
  readonly step: ProvisioningStepName;
}

/** What the monitor observed changed (balance, webhook drift), or a token rotation moved on. */
export interface IntegrationOperationsChanged extends DomainEvent {
  readonly name: 'integration.operations_changed';
}

export interface IntegrationRemoved extends DomainEvent {
  readonly name: 'integration.removed';
}

export type ProvisioningStepName =
  | 'subaccount_created'
  | 'number_bought'
  | 'webhook_configured'
  | 'sender_registered'
  | 'sender_online';

export type IntegrationEvent =
  | IntegrationCreated
  | IntegrationStatusChanged
  | IntegrationSettingsChanged
  | IntegrationProvisioningProgressed
  | IntegrationOperationsChanged
  | IntegrationRemoved;
