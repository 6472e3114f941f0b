import { TwilioIntegration } from './twilio-integration';

/**
 * Port for storing integrations. Every finder is scoped by company, except the two that
 * resolve an incoming Twilio request (which carries no company) and the saga's work list.
 * `save` inserts or updates with optimistic concurrency: a stale aggregate throws
 * ConcurrencyError; a WhatsApp number held by another integration throws NumberInUseError.
 */
export interface IntegrationRepository {
  save(integration: TwilioIntegration): Promise<void>;
  findById(companyId: string, id: string): Promise<TwilioIntegration | null>;
  listByCompany(companyId: string): Promise<TwilioIntegration[]>;
  delete(companyId: string, id: string): Promise<boolean>;
  /**
   * Whether an integration other than `exceptId` (of any company) holds this WhatsApp number.
   * Provisioning skips such numbers rather than buy one it could not keep; it reveals nothing
   * else about the holder.
   */
  isNumberTaken(whatsappNumber: string, exceptId: string): Promise<boolean>;
  /** Webhook resolution: the integration that owns this number in this account. */
  findByAccountAndNumber(accountSid: string, whatsappNumber: string): Promise<TwilioIntegration | null>;
  /** Provisioning integrations whose next check is due (the saga's work list, across companies). */
  findProvisioningDue(now: Date, limit: number): Promise<TwilioIntegration[]>;
  /**
   * Takes the right to run this integration's provisioning until `until`, unless another
   * worker (any instance) holds an unexpired lease: one saga runner at a time, so no
   * Twilio call is made twice in parallel.
   */
  acquireProvisioningLease(id: string, until: Date, now: Date): Promise<boolean>;
  releaseProvisioningLease(id: string): Promise<void>;
}
