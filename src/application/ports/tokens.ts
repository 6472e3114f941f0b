/**
 * Dependency-injection tokens of the core's ports. Plain symbols, so the core needs no
 * DI library: the composition root (infrastructure/di) binds them.
 */
export const TOKENS = {
  Clock: Symbol('Clock'),
  IdGenerator: Symbol('IdGenerator'),
  ServiceConfig: Symbol('ServiceConfig'),
  SecretCipher: Symbol('SecretCipher'),
  TwilioGateway: Symbol('TwilioGateway'),
  DomainEventPublisher: Symbol('DomainEventPublisher'),
  IntegrationRepository: Symbol('IntegrationRepository'),
  TicketRepository: Symbol('TicketRepository'),
  MessageRepository: Symbol('MessageRepository'),
  NotificationStore: Symbol('NotificationStore'),
  DatabaseHealth: Symbol('DatabaseHealth'),
  WebhookSignatureVerifier: Symbol('WebhookSignatureVerifier'),
  InboundInbox: Symbol('InboundInbox'),
  TicketReadModel: Symbol('TicketReadModel'),
  DeliveryOutbox: Symbol('DeliveryOutbox'),
  SendRateLimiter: Symbol('SendRateLimiter'),
  DeliveryTrigger: Symbol('DeliveryTrigger'),
  EventLog: Symbol('EventLog'),
  AttachmentStore: Symbol('AttachmentStore'),
  MediaUrlSigner: Symbol('MediaUrlSigner'),
} as const;
