import { AuthToken } from '../../../domain/integration/auth-token';
import { NumberInUseError } from '../../../domain/integration/integration-errors';
import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { ConcurrencyError, DomainError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { NotificationStore } from '../../ports/notification.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { INBOUND_WEBHOOK_PATH, PurchasedNumber, TwilioCredentials, TwilioGateway, TwilioGatewayError } from '../../ports/twilio-gateway.port';
import { notifyAdminsOfFailure } from '../integration-alerts';
import { credentialsOf, describeTwilioFailure } from '../integration-credentials';
import { releaseProvisionedResources } from './release-provisioned-resources';

/** How long one runner may hold an integration before another instance may take over. */
const LEASE_MS = 2 * 60 * 1000;
/** Delay before retrying a step after a transient Twilio failure. */
const TRANSIENT_RETRY_MS = 15 * 1000;
/**
 * How many numbers of Twilio's search provisioning considers, and how many times one run may
 * find at save time that the number it just took belongs to another integration, before it
 * gives up with that cause.
 */
export const MAX_NUMBER_TRIES = 5;
/** Twilio: "PhoneNumber requested is not available" (bought by someone else since the search). */
const NUMBER_NOT_AVAILABLE = 21422;
/** Sender states that mean Meta/Twilio turned the sender down. */
const REJECTED_SENDER_STATES = new Set(['OFFLINE']);

/** What one `advance` remembers across its steps. */
interface RunState {
  /** Numbers found, at save time, to belong to another integration. */
  numbersTaken: number;
}

export interface ProvisioningLog {
  warn(message: string, context?: Record<string, unknown>): void;
}

/**
 * The provisioning saga: subaccount → number → webhooks → WhatsApp sender → wait until the
 * sender is ONLINE → active. Every finished step is saved before the next one starts, so a
 * crash resumes where it stopped; each step first looks for what a crashed attempt may
 * already have created (a subaccount named after the integration, a number the subaccount
 * owns), so resuming never buys twice. A permanent failure undoes what was done (release
 * the number, close the subaccount), marks the integration `error` and alerts the admins.
 */
export class ProvisioningProcessManager {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly twilio: TwilioGateway,
    private readonly cipher: SecretCipher,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
    private readonly notifications: NotificationStore,
    private readonly events: DomainEventPublisher,
    private readonly log: ProvisioningLog,
  ) {}

  /** Advances every integration whose next check is due (called by the worker's timer). */
  async runDue(limit = 20): Promise<number> {
    const due = await this.integrations.findProvisioningDue(this.clock.now(), limit);
    for (const integration of due) await this.advance(integration.companyId, integration.id);
    return due.length;
  }

  /** Runs as many steps as are possible now for one integration. */
  async advance(companyId: string, integrationId: string): Promise<void> {
    const now = this.clock.now();
    if (!(await this.integrations.acquireProvisioningLease(integrationId, new Date(now.getTime() + LEASE_MS), now))) return;
    const run: RunState = { numbersTaken: 0 };
    try {
      for (;;) {
        const integration = await this.integrations.findById(companyId, integrationId);
        if (!integration || !integration.isProvisioning) return;
        const nextCheckAt = integration.provisioning?.nextCheckAt;
        if (nextCheckAt && nextCheckAt > this.clock.now()) return;
        const progressed = await this.step(integration, run);
        if (!progressed) return;
      }
    } finally {
      await this.integrations.releaseProvisioningLease(integrationId);
    }
  }

  /** One step; true when the next one may follow at once. */
  private async step(integration: TwilioIntegration, run: RunState): Promise<boolean> {
    try {
      const progressed = await this.runStep(integration);
      await this.saveAndPublish(integration);
      return progressed;
    } catch (error) {
      if (error instanceof NumberInUseError) return this.numberTakenMeanwhile(integration, error, run);
      if (error instanceof ConcurrencyError) {
        // Removed while the step ran (DELETE released what was saved, not what this step
        // just created): undo it here, nobody else knows of it.
        if (await this.isRemoved(integration)) return this.releaseOrphaned(integration);
        // Someone else saved in between (an admin's rename): reload and redo the step; every
        // step first looks for what it may already have created, so nothing is bought twice.
        return true;
      }
      if (error instanceof TwilioGatewayError && error.kind === 'transient') {
        this.log.warn('provisioning step failed transiently; will retry', { integrationId: integration.id, reason: describeTwilioFailure(error) });
        const retryIn = Math.max(error.retryAfterMs ?? 0, TRANSIENT_RETRY_MS);
        integration.scheduleNextCheck(new Date(this.clock.now().getTime() + retryIn), this.clock.now());
        await this.saveAndPublish(integration);
        return false;
      }
      await this.failOrIgnoreRemoved(integration, describeTwilioFailure(error));
      return false;
    }
  }

  private async failOrIgnoreRemoved(integration: TwilioIntegration, reason: string): Promise<void> {
    try {
      await this.fail(integration, reason);
    } catch (failure) {
      // Removed meanwhile (its subaccount closed under the step): nothing left to mark or alert.
      if (!(failure instanceof ConcurrencyError) || !(await this.isRemoved(integration))) throw failure;
    }
  }

  private async isRemoved(integration: TwilioIntegration): Promise<boolean> {
    return (await this.integrations.findById(integration.companyId, integration.id)) === null;
  }

  /** Releases what a step created for an integration removed meanwhile; false: nothing follows. */
  private async releaseOrphaned(integration: TwilioIntegration): Promise<false> {
    try {
      await releaseProvisionedResources(integration, { twilio: this.twilio, cipher: this.cipher, config: this.config });
    } catch (error) {
      this.log.warn('could not release what provisioning created for a removed integration', {
        integrationId: integration.id,
        accountSid: integration.accountSid,
        reason: describeTwilioFailure(error),
      });
    }
    return false;
  }

  private async runStep(integration: TwilioIntegration): Promise<boolean> {
    const p = integration.provisioning!;
    const now = this.clock.now();
    if (!p.subAccountCreated) {
      const master = this.master();
      const name = `zapdesk-${integration.id}`;
      const sub = (await this.twilio.findSubAccountByName(master, name)) ?? (await this.twilio.createSubAccount(master, name));
      integration.recordSubAccountCreated(sub.accountSid, this.cipher.encrypt(AuthToken.of(sub.authToken)), now);
      return true;
    }
    const account = credentialsOf(integration, this.cipher);
    if (!p.numberSid) {
      const number = await this.takeNumber(integration, account, p.countryCode, p.areaCode);
      integration.recordNumberBought(number.sid, number.phoneNumber, now);
      return true;
    }
    if (!p.webhookConfigured) {
      await this.twilio.configureWebhook(account, p.numberSid, { apiUrl: this.config.apiUrl, method: 'POST' });
      integration.recordWebhookConfigured(`${this.config.apiUrl}${INBOUND_WEBHOOK_PATH}`, now);
      return true;
    }
    if (!p.senderSid) {
      const profileName = integration.toSnapshot().friendlyName ?? 'Zapdesk';
      const sender = await this.twilio.registerWhatsAppSender(account, integration.whatsappNumber!, profileName);
      integration.recordSenderRegistered(sender.sid, now, now);
      return true;
    }
    const sender = await this.twilio.fetchSenderStatus(account, p.senderSid);
    if (sender.status === 'ONLINE') {
      integration.recordSenderOnline(now);
      integration.activate(now);
      return false;
    }
    if (REJECTED_SENDER_STATES.has(sender.status)) {
      throw new DomainError('INTEGRATION.SENDER_REJECTED', 'business_rule', `WhatsApp sender registration ended ${sender.status}`);
    }
    // Still under review (Meta's review can take days): look again later, surviving restarts.
    integration.scheduleNextCheck(new Date(now.getTime() + this.config.senderPollIntervalMs), now);
    return false;
  }

  /**
   * The number this subaccount already owns (an interrupted attempt bought it), else the first
   * number Twilio offers that no other integration holds; a number can belong to one
   * integration only, so one another integration holds is never bought (or is given back).
   */
  private async takeNumber(integration: TwilioIntegration, account: TwilioCredentials, countryCode: string, areaCode: string | null): Promise<PurchasedNumber> {
    for (const owned of await this.twilio.listOwnedNumbers(account)) {
      if (!(await this.integrations.isNumberTaken(owned.phoneNumber, integration.id))) return owned;
      await this.giveBack(integration, account, owned.sid);
    }
    const where = `${countryCode}${areaCode ? ` area ${areaCode}` : ''}`;
    const offered = await this.twilio.searchAvailableNumbers(account, countryCode, areaCode ?? undefined, MAX_NUMBER_TRIES);
    if (offered.length === 0) throw new DomainError('INTEGRATION.NO_NUMBER_AVAILABLE', 'business_rule', `no number available in ${where}`);
    const soldMeanwhile: string[] = [];
    for (const candidate of offered) {
      if (await this.integrations.isNumberTaken(candidate.phoneNumber, integration.id)) continue;
      try {
        return await this.twilio.buyNumber(account, candidate.phoneNumber, `Zapdesk ${account.accountSid.slice(-6)}`);
      } catch (error) {
        // 21422: sold to someone else since the search; the next one may still be for sale.
        if (!(error instanceof TwilioGatewayError) || error.twilioCode !== NUMBER_NOT_AVAILABLE) throw error;
        soldMeanwhile.push(candidate.phoneNumber);
      }
    }
    const taken = offered.map((n) => n.phoneNumber).filter((n) => !soldMeanwhile.includes(n));
    const reasons = [
      taken.length > 0 ? `${taken.join(', ')} already connected to another integration` : null,
      soldMeanwhile.length > 0 ? `${soldMeanwhile.join(', ')} sold to someone else meanwhile (Twilio ${NUMBER_NOT_AVAILABLE})` : null,
    ].filter((reason): reason is string => reason !== null);
    throw new DomainError(
      'INTEGRATION.NO_NUMBER_AVAILABLE',
      'business_rule',
      `none of the ${offered.length} number(s) Twilio offered in ${where} could be taken (${reasons.join('; ')}); try another area code`,
    );
  }

  /**
   * Saving the number just taken found it held by another integration (taken between the
   * check and the save): give it back and take the next one, a bounded number of times,
   * then fail with that cause. The aggregate in hand still holds the number, so the next
   * step (or the failure) starts from the stored state.
   */
  private async numberTakenMeanwhile(integration: TwilioIntegration, cause: NumberInUseError, run: RunState): Promise<boolean> {
    run.numbersTaken += 1;
    this.log.warn('the number provisioning took belongs to another integration; giving it back', { integrationId: integration.id, whatsappNumber: integration.whatsappNumber });
    const numberSid = integration.numberSid;
    if (numberSid) await this.giveBack(integration, credentialsOf(integration, this.cipher), numberSid);
    const stored = await this.integrations.findById(integration.companyId, integration.id);
    if (!stored) return this.releaseOrphaned(integration);
    if (run.numbersTaken < MAX_NUMBER_TRIES) return true;
    await this.failOrIgnoreRemoved(
      stored,
      `${MAX_NUMBER_TRIES} numbers in a row were already connected to another integration when provisioning took them (the last: ${cause.message}); try another area code`,
    );
    return false;
  }

  /** Releases a number the subaccount bought but may not keep; a failure leaves it to the subaccount's closing. */
  private async giveBack(integration: TwilioIntegration, account: TwilioCredentials, numberSid: string): Promise<void> {
    try {
      await this.twilio.releaseNumber(account, numberSid);
    } catch (error) {
      if (error instanceof TwilioGatewayError && error.kind === 'not_found') return;
      this.log.warn('could not release a number another integration holds', { integrationId: integration.id, numberSid, reason: describeTwilioFailure(error) });
    }
  }

  private async fail(integration: TwilioIntegration, reason: string): Promise<void> {
    const now = this.clock.now();
    try {
      await releaseProvisionedResources(integration, { twilio: this.twilio, cipher: this.cipher, config: this.config });
      integration.recordCompensated(now);
    } catch (error) {
      // Left for DELETE /integrations/:id, which releases the same resources again.
      this.log.warn('provisioning compensation failed', { integrationId: integration.id, reason: describeTwilioFailure(error) });
    }
    integration.markFailed(reason, now);
    await this.saveAndPublish(integration);
    await notifyAdminsOfFailure(this.notifications, integration);
  }

  private async saveAndPublish(integration: TwilioIntegration): Promise<void> {
    await this.integrations.save(integration);
    await this.events.publishAll(integration.pullDomainEvents());
  }

  private master(): TwilioCredentials {
    if (!this.config.masterAccount) {
      throw new DomainError('INTEGRATION.NO_MASTER_ACCOUNT', 'business_rule', 'provisioning needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
    }
    return this.config.masterAccount;
  }
}
