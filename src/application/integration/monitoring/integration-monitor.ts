import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { ConcurrencyError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { IntegrationMonitorStore } from '../../ports/integration-monitor-store.port';
import { NewNotification, NotificationStore } from '../../ports/notification.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { INBOUND_WEBHOOK_PATH, TwilioCredentials, TwilioGateway, TwilioGatewayError } from '../../ports/twilio-gateway.port';
import { notifyAdminsOfFailure } from '../integration-alerts';
import { credentialsOf, describeTwilioFailure } from '../integration-credentials';
import { repairTarget, webhookDrift } from './webhook-expectations';

export interface IntegrationMonitorSettings {
  /** Balance below which admins are alerted, for integrations without a threshold of their own. */
  readonly balanceAlertThreshold: number;
  /** Integrations read per page of a pass. */
  readonly pageSize?: number;
}

export interface MonitorLog {
  warn(message: string, context?: Record<string, unknown>): void;
}

/** A notification to send once the change it reports is saved (it may use the saved version). */
type Alert = (notifications: NotificationStore, saved: TwilioIntegration) => Promise<unknown>;

/**
 * One pass over every `active` and `error` integration: credentials against Twilio, the
 * balance that pays for it, and the number's webhooks. What changed is saved with the
 * integration's versioned write first, and admins are notified only by the pass whose write
 * stored the change: two passes (two instances, a lease lost mid-pass) that saw the same
 * failure store it once and notify once. A still-failing integration changes nothing, so an
 * incident is notified once, not at every pass.
 */
export class IntegrationMonitor {
  constructor(
    private readonly store: IntegrationMonitorStore,
    private readonly integrations: IntegrationRepository,
    private readonly twilio: TwilioGateway,
    private readonly cipher: SecretCipher,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
    private readonly notifications: NotificationStore,
    private readonly events: DomainEventPublisher,
    private readonly settings: IntegrationMonitorSettings,
    private readonly log: MonitorLog,
  ) {}

  /**
   * Checks every monitored integration once; answers how many it checked. `keepGoing` is asked
   * before each further page (the worker renews its lease there, and stops when it lost it).
   */
  async runPass(keepGoing: () => Promise<boolean> = async () => true): Promise<number> {
    let after: string | null = null;
    let checked = 0;
    for (;;) {
      if (after !== null && !(await keepGoing())) return checked;
      const page = await this.store.listMonitored(after, this.settings.pageSize ?? 100);
      for (const integration of page) {
        try {
          await this.check(integration);
        } catch (error) {
          this.log.warn('integration monitor: check failed', { integrationId: integration.id, reason: describeTwilioFailure(error) });
        }
        checked += 1;
      }
      if (page.length < (this.settings.pageSize ?? 100)) return checked;
      after = page[page.length - 1]!.id;
    }
  }

  async check(integration: TwilioIntegration): Promise<void> {
    if (!isMonitorable(integration)) return;
    const alerts: Alert[] = [];
    const credentials = await this.workingCredentials(integration, alerts);
    if (credentials === null) return this.commit(integration, alerts);
    if (integration.recordHealthy(this.clock.now())) alerts.push(recovered(integration));
    await this.watchBalance(integration, credentials, alerts);
    await this.watchWebhook(integration, credentials, alerts);
    await this.commit(integration, alerts);
  }

  /**
   * The account's credentials when Twilio accepts them. A refusal turns an active integration
   * `error` (null); a transient failure says nothing about the credentials (null, no change).
   */
  private async workingCredentials(integration: TwilioIntegration, alerts: Alert[]): Promise<TwilioCredentials | null> {
    const credentials = credentialsOf(integration, this.cipher);
    try {
      await this.expectActiveAccount(credentials);
      return credentials;
    } catch (error) {
      if (error instanceof TwilioGatewayError && error.kind === 'transient') return null;
      if (await this.finishInterruptedRotation(integration, error)) return credentialsOf(integration, this.cipher);
      if (integration.recordUnhealthy(describeTwilioFailure(error), this.clock.now())) alerts.push(failed());
      return null;
    }
  }

  private async expectActiveAccount(credentials: TwilioCredentials): Promise<void> {
    const account = await this.twilio.fetchAccount(credentials);
    if (account.status !== 'active') {
      throw new TwilioGatewayError('permanent', undefined, undefined, `the Twilio account is ${account.status}`);
    }
  }

  /**
   * A rotation that stopped between Twilio's promotion and our save leaves the old token
   * refused and the new one pending: when the pending one works, the rotation is finished here.
   */
  private async finishInterruptedRotation(integration: TwilioIntegration, error: unknown): Promise<boolean> {
    const pending = integration.operations.pendingAuthToken;
    if (!pending || !(error instanceof TwilioGatewayError) || error.kind !== 'auth') return false;
    try {
      await this.expectActiveAccount({ accountSid: integration.accountSid!, authToken: this.cipher.decrypt(pending).reveal() });
    } catch {
      return false;
    }
    integration.completeTokenRotation(this.clock.now());
    return true;
  }

  private async watchBalance(integration: TwilioIntegration, credentials: TwilioCredentials, alerts: Alert[]): Promise<void> {
    // A provisioned subaccount has no balance of its own: the master account pays for it.
    const payer = integration.ownsTwilioResources ? this.config.masterAccount : credentials;
    if (!payer) return;
    try {
      const balance = await this.twilio.fetchBalance(payer);
      const threshold = integration.operations.lowBalanceThreshold ?? this.settings.balanceAlertThreshold;
      const read = { amount: balance.balance, currency: balance.currency };
      if (integration.recordBalance(read, threshold, this.clock.now())) alerts.push(lowBalance(integration, read.amount, read.currency, threshold));
    } catch (error) {
      this.log.warn('integration monitor: balance not read', { integrationId: integration.id, reason: describeTwilioFailure(error) });
    }
  }

  private async watchWebhook(integration: TwilioIntegration, credentials: TwilioCredentials, alerts: Alert[]): Promise<void> {
    const numberSid = integration.numberSid;
    if (!numberSid) return;
    const method = integration.toSnapshot().config.webhookMethod;
    const apiUrl = this.config.apiUrl;
    try {
      const drift = webhookDrift(await this.twilio.fetchNumberConfig(credentials, numberSid), apiUrl, method);
      const now = this.clock.now();
      const found = integration.recordWebhookDrift(drift, now);
      let repaired = false;
      if (drift.length > 0 && integration.operations.autoRepairWebhook) {
        await this.twilio.configureWebhook(credentials, numberSid, repairTarget(drift, apiUrl, method));
        integration.recordWebhookConfigured(`${apiUrl}${INBOUND_WEBHOOK_PATH}`, now);
        repaired = true;
      }
      if (found) alerts.push(drifted(integration, drift.map((f) => f.field), repaired));
    } catch (error) {
      this.log.warn('integration monitor: webhook not checked', { integrationId: integration.id, reason: describeTwilioFailure(error) });
    }
  }

  /** Saves what changed (one conditional write), then notifies: only the pass whose write won notifies. */
  private async commit(integration: TwilioIntegration, alerts: readonly Alert[]): Promise<void> {
    const events = integration.pullDomainEvents();
    if (events.length === 0) return;
    try {
      await this.integrations.save(integration);
    } catch (error) {
      // Another pass (or an admin) changed it since we read it: theirs is the change to report.
      if (error instanceof ConcurrencyError) return;
      throw error;
    }
    for (const alert of alerts) await alert(this.notifications, integration);
    await this.events.publishAll(events);
  }
}

/**
 * Integrations whose account is in use: not pending, not inactive, and not a provisioning that
 * failed and released its subaccount (there is nothing left to check or to re-activate).
 */
function isMonitorable(integration: TwilioIntegration): boolean {
  if (integration.status !== 'active' && integration.status !== 'error') return false;
  if (!integration.accountSid || !integration.authToken || !integration.whatsappNumber) return false;
  const p = integration.provisioning;
  return p === null || (p.senderOnline && !p.compensated);
}

function nameOf(integration: TwilioIntegration): string {
  return integration.whatsappNumber ?? integration.toSnapshot().friendlyName ?? integration.id;
}

function failed(): Alert {
  // The message and dedupe key of every integration failure (one per failure date).
  return (notifications, saved) => notifyAdminsOfFailure(notifications, saved);
}

/** A notification to the company's admins, once per saved version of the integration. */
function toAdmins(kind: NewNotification['kind'], message: string): Alert {
  return (notifications, saved) =>
    notifications.add({
      companyId: saved.companyId,
      recipient: { role: 'admin' },
      kind,
      subjectId: saved.id,
      message,
      dedupeKey: `${kind}:${saved.id}:${saved.version}`,
    });
}

function recovered(integration: TwilioIntegration): Alert {
  return toAdmins('integration_recovered', `WhatsApp integration ${nameOf(integration)} works again: Twilio accepts its credentials`);
}

function lowBalance(integration: TwilioIntegration, amount: number, currency: string, threshold: number): Alert {
  const whose = integration.ownsTwilioResources ? "the platform's Twilio balance" : 'the Twilio balance of its account';
  return toAdmins('low_balance', `WhatsApp integration ${nameOf(integration)}: ${whose} is ${amount.toFixed(2)} ${currency}, below ${threshold.toFixed(2)}`);
}

function drifted(integration: TwilioIntegration, fields: readonly string[], repaired: boolean): Alert {
  const what = `the number's webhook settings (${fields.join(', ')}) no longer point at Zapdesk`;
  const next = repaired ? '; repaired automatically' : `; POST /integrations/${integration.id}/webhook/sync re-points them`;
  return toAdmins('webhook_drift', `WhatsApp integration ${nameOf(integration)}: ${what}${next}`);
}
