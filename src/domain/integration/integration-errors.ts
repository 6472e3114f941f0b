import { DomainError } from '../shared/domain-error';

export class NumberInUseError extends DomainError {
  constructor(whatsappNumber: string) {
    super('INTEGRATION.NUMBER_IN_USE', 'conflict', `WhatsApp number ${whatsappNumber} is already connected to an integration`);
  }
}

export class IntegrationNotActiveError extends DomainError {
  constructor(status: string) {
    super('INTEGRATION.NOT_ACTIVE', 'conflict', `the ticket's integration is ${status}, not active`);
  }
}
