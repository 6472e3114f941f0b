import { AuthToken } from '../../../domain/integration/auth-token';
import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { ConcurrencyError, DomainError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { NotificationStore } from '../../ports/notification.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { INBOUND_WEBHOOK_PATH, TwilioCredentials, TwilioGateway, TwilioGatewayError } from '../../ports/twilio-gateway.port';
import { notifyAdminsOfFailure } from '../integration-alerts';
import { credentialsOf, describeTwilioFailure } from '../integration-credentials';
import { releaseProvisionedResources } from './release-provisioned-resources';

/** How long one runner may hold an integration before another instance may take over. */
const LEASE_MS = 2 * 60 * 1000;
/** Delay before retrying a step after a transient Twilio failure. */
const TRANSIENT_RETRY_MS = 15 * 1000;
/** Sender states that mean Meta/Twilio turned the sender down. */
const REJECTED_SENDER_STATES = new Set(['OFFLINE']);

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
    try {
      for (;;) {
        const integration = await this.integrations.findById(companyId, integrationId);
        if (!integration || !integration.isProvisioning) return;
        const nextCheckAt = integration.provisioning?.nextCheckAt;
        if (nextCheckAt && nextCheckAt > this.clock.now()) return;
        const progressed = await this.step(integration);
        if (!progressed) return;
      }
    } finally {
      await this.integrations.releaseProvisioningLease(integrationId);
    }
  }

  /** One step; true when the next one may follow at once. */
  private async step(integration: TwilioIntegration): Promise<boolean> {
    try {
      const progressed = await this.runStep(integration);
      await this.saveAndPublish(integration);
      return progressed;
    } catch (error) {
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
      try {
        await this.fail(integration, describeTwilioFailure(error));
      } catch (failure) {
        // Removed meanwhile (its subaccount closed under the step): nothing left to mark or alert.
        if (!(failure instanceof ConcurrencyError) || !(await this.isRemoved(integration))) throw failure;
      }
      return false;
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
      const [owned] = await this.twilio.listOwnedNumbers(account);
      const number = owned ?? (await this.buyNumber(account, p.countryCode, p.areaCode));
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

  private async buyNumber(account: TwilioCredentials, countryCode: string, areaCode: string | null) {
    const available = await this.twilio.searchAvailableNumber(account, countryCode, areaCode ?? undefined);
    if (!available) {
      throw new DomainError('INTEGRATION.NO_NUMBER_AVAILABLE', 'business_rule', `no number available in ${countryCode}${areaCode ? ` area ${areaCode}` : ''}`);
    }
    return this.twilio.buyNumber(account, available.phoneNumber, `Zapdesk ${account.accountSid.slice(-6)}`);
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
