import { AggregateRoot } from '../shared/aggregate-root';
import { assertCompanyId } from '../shared/company-id';
import { DomainError, InvalidValueError } from '../shared/domain-error';
import { normalizeE164 } from '../shared/phone-number';
import { assertAccountSid } from './account-sid';
import { EncryptedSecret } from './auth-token';
import { IntegrationEvent, ProvisioningStepName } from './integration-events';
import {
  AccountBalance,
  IntegrationOperations,
  NO_OPERATIONS,
  WebhookDriftField,
  checkBalanceThreshold,
  sameDrift,
} from './integration-operations';
import { IntegrationStatus, assertTransition } from './integration-status';

export type IntegrationMode = 'provision' | 'existing';
export type WebhookMethod = 'POST' | 'GET';

/** Twilio's default WhatsApp sender throughput (messages per second). */
export const DEFAULT_SEND_RATE_PER_SECOND = 80;
const MAX_ERROR_LENGTH = 500;
const MAX_FRIENDLY_NAME = 64;

export interface IntegrationConfig {
  readonly webhookUrl: string;
  readonly webhookMethod: WebhookMethod;
  readonly lastError: string | null;
  readonly lastErrorDate: Date | null;
}

/**
 * What the provisioning saga has done so far, persisted after every step so a crash
 * resumes where it stopped and a failure knows what to undo.
 */
export interface ProvisioningState {
  readonly countryCode: string;
  readonly areaCode: string | null;
  readonly subAccountCreated: boolean;
  readonly numberSid: string | null;
  readonly webhookConfigured: boolean;
  readonly senderSid: string | null;
  readonly senderOnline: boolean;
  /** When the saga should look at this integration again (sender review polling). */
  readonly nextCheckAt: Date | null;
  /** Set once compensation (release number, close subaccount) has run after a failure. */
  readonly compensated: boolean;
}

export interface TwilioIntegrationSnapshot {
  readonly id: string;
  readonly companyId: string;
  readonly mode: IntegrationMode;
  readonly friendlyName: string | null;
  /** Null only while provisioning has not created the subaccount yet. */
  readonly accountSid: string | null;
  readonly authToken: EncryptedSecret | null;
  /** Bare E.164; null only while provisioning has not bought the number yet. */
  readonly whatsappNumber: string | null;
  /** The IncomingPhoneNumber SID (PN...), when Twilio has one for this number. */
  readonly numberSid: string | null;
  readonly status: IntegrationStatus;
  readonly config: IntegrationConfig;
  readonly provisioning: ProvisioningState | null;
  readonly sendRatePerSecond: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Optimistic-concurrency version; 0 for an aggregate never saved. */
  readonly version: number;
  /** Monitor settings and observations, token rotation; absent on integrations stored before them. */
  readonly operations?: IntegrationOperations;
}

interface Common {
  readonly id: string;
  readonly companyId: string;
  readonly friendlyName?: string | null;
  readonly webhookUrl: string;
  readonly now: Date;
}

export class TwilioIntegration extends AggregateRoot<IntegrationEvent> {
  private constructor(private state: TwilioIntegrationSnapshot) {
    super();
  }

  /** Zapdesk will create the subaccount, buy the number and register the sender. */
  static provision(input: Common & { countryCode: string; areaCode?: string | null }): TwilioIntegration {
    const integration = new TwilioIntegration({
      ...TwilioIntegration.base(input),
      mode: 'provision',
      accountSid: null,
      authToken: null,
      whatsappNumber: null,
      provisioning: {
        countryCode: input.countryCode,
        areaCode: input.areaCode ?? null,
        subAccountCreated: false,
        numberSid: null,
        webhookConfigured: false,
        senderSid: null,
        senderOnline: false,
        nextCheckAt: input.now,
        compensated: false,
      },
    });
    integration.recordCreated('provision');
    return integration;
  }

  /** The company brings its own account, token and number; validation activates it. */
  static connectExisting(
    input: Common & { accountSid: string; authToken: EncryptedSecret; whatsappNumber: string },
  ): TwilioIntegration {
    const integration = new TwilioIntegration({
      ...TwilioIntegration.base(input),
      mode: 'existing',
      accountSid: assertAccountSid(input.accountSid),
      authToken: input.authToken,
      whatsappNumber: normalizeE164(input.whatsappNumber, 'whatsappNumber'),
      provisioning: null,
    });
    integration.recordCreated('existing');
    return integration;
  }

  static restore(snapshot: TwilioIntegrationSnapshot): TwilioIntegration {
    return new TwilioIntegration(snapshot);
  }

  private static base(input: Common) {
    return {
      id: input.id,
      companyId: assertCompanyId(input.companyId),
      friendlyName: checkFriendlyName(input.friendlyName ?? null),
      numberSid: null,
      status: 'pending' as const,
      config: { webhookUrl: input.webhookUrl, webhookMethod: 'POST' as const, lastError: null, lastErrorDate: null },
      sendRatePerSecond: DEFAULT_SEND_RATE_PER_SECOND,
      createdAt: input.now,
      updatedAt: input.now,
      version: 0,
    };
  }

  get id(): string {
    return this.state.id;
  }
  get companyId(): string {
    return this.state.companyId;
  }
  get status(): IntegrationStatus {
    return this.state.status;
  }
  get mode(): IntegrationMode {
    return this.state.mode;
  }
  get accountSid(): string | null {
    return this.state.accountSid;
  }
  get authToken(): EncryptedSecret | null {
    return this.state.authToken;
  }
  get whatsappNumber(): string | null {
    return this.state.whatsappNumber;
  }
  get numberSid(): string | null {
    return this.state.numberSid;
  }
  get provisioning(): ProvisioningState | null {
    return this.state.provisioning;
  }
  get version(): number {
    return this.state.version;
  }
  get operations(): IntegrationOperations {
    return this.state.operations ?? NO_OPERATIONS;
  }

  /** True while the provisioning saga still has work to do. */
  get isProvisioning(): boolean {
    return this.state.mode === 'provision' && this.state.status === 'pending';
  }

  /** True when Zapdesk bought the number / created the subaccount and so must undo them on removal. */
  get ownsTwilioResources(): boolean {
    return this.state.mode === 'provision';
  }

  // --- provisioning steps -------------------------------------------------------------

  recordSubAccountCreated(accountSid: string, authToken: EncryptedSecret, now: Date): void {
    const p = this.requireProvisioning();
    this.state = {
      ...this.state,
      accountSid: assertAccountSid(accountSid),
      authToken,
      provisioning: { ...p, subAccountCreated: true },
    };
    this.progressed('subaccount_created', now);
  }

  recordNumberBought(numberSid: string, phoneNumber: string, now: Date): void {
    const p = this.requireProvisioning();
    this.state = {
      ...this.state,
      whatsappNumber: normalizeE164(phoneNumber, 'whatsappNumber'),
      numberSid,
      provisioning: { ...p, numberSid },
    };
    this.progressed('number_bought', now);
  }

  recordWebhookConfigured(webhookUrl: string, now: Date): void {
    const p = this.state.provisioning;
    const hadDrift = this.operations.webhookDrift !== null;
    this.state = {
      ...this.state,
      config: { ...this.state.config, webhookUrl },
      provisioning: p ? { ...p, webhookConfigured: true } : null,
      // The number was just pointed here: whatever drift was seen is repaired.
      ...(hadDrift ? { operations: { ...this.operations, webhookDrift: null } } : {}),
    };
    if (hadDrift) this.operationsChanged(now);
    if (p) this.progressed('webhook_configured', now);
    else this.touch(now);
  }

  recordSenderRegistered(senderSid: string, nextCheckAt: Date, now: Date): void {
    const p = this.requireProvisioning();
    this.state = { ...this.state, provisioning: { ...p, senderSid, nextCheckAt } };
    this.progressed('sender_registered', now);
  }

  /** The sender is still under review: look again later (Meta's review can take days). */
  scheduleNextCheck(nextCheckAt: Date, now: Date): void {
    const p = this.requireProvisioning();
    this.state = { ...this.state, provisioning: { ...p, nextCheckAt }, updatedAt: now };
  }

  recordSenderOnline(now: Date): void {
    const p = this.requireProvisioning();
    this.state = { ...this.state, provisioning: { ...p, senderOnline: true, nextCheckAt: null } };
    this.progressed('sender_online', now);
  }

  recordCompensated(now: Date): void {
    const p = this.requireProvisioning();
    this.state = { ...this.state, provisioning: { ...p, compensated: true, nextCheckAt: null }, updatedAt: now };
  }

  /** For `existing` integrations: the IncomingPhoneNumber found in the account. */
  recordNumberSid(numberSid: string | null, now: Date): void {
    if (this.state.numberSid === numberSid) return;
    this.state = { ...this.state, numberSid, updatedAt: now };
  }

  // --- status ---------------------------------------------------------------------------

  activate(now: Date): void {
    this.changeStatus('active', now);
  }

  deactivate(now: Date): void {
    this.changeStatus('inactive', now);
  }

  /** A connection or authentication failure: keeps the reason and its date. */
  markFailed(reason: string, now: Date): void {
    const lastError = reason.slice(0, MAX_ERROR_LENGTH);
    const from = this.state.status;
    if (from !== 'error') assertTransition(from, 'error');
    this.state = {
      ...this.state,
      status: 'error',
      config: { ...this.state.config, lastError, lastErrorDate: now },
      provisioning: this.state.provisioning ? { ...this.state.provisioning, nextCheckAt: null } : null,
      updatedAt: now,
    };
    this.record({
      name: 'integration.status_changed',
      companyId: this.companyId,
      aggregateId: this.id,
      occurredAt: now,
      from,
      to: 'error',
      reason: lastError,
    });
  }

  // --- monitoring -----------------------------------------------------------------------

  /**
   * The monitor found the account working: an `error` integration is active again. True when
   * this is a recovery (the caller tells the admins once the change is saved).
   */
  recordHealthy(now: Date): boolean {
    if (this.state.status !== 'error') return false;
    this.activate(now);
    return true;
  }

  /**
   * The monitor found the account refused: an `active` integration turns `error`. An integration
   * already in `error` keeps its first reason and date (one incident, one notification).
   */
  recordUnhealthy(reason: string, now: Date): boolean {
    if (this.state.status !== 'active') return false;
    this.markFailed(reason, now);
    return true;
  }

  /** A balance read; true when it just fell below `threshold` (a new crossing to tell the admins about). */
  recordBalance(balance: { amount: number; currency: string }, threshold: number, now: Date): boolean {
    const ops = this.operations;
    const low = balance.amount < threshold;
    const same = ops.balance !== null && ops.balance.amount === balance.amount && ops.balance.currency === balance.currency;
    if (same && low === ops.balanceLow) return false;
    const next: AccountBalance = { amount: balance.amount, currency: balance.currency, checkedAt: now };
    this.setOperations({ ...ops, balance: next, balanceLow: low }, now);
    return low && !ops.balanceLow;
  }

  /** The number's webhook settings compared with Zapdesk's; true when drift is newly found (one incident). */
  recordWebhookDrift(fields: readonly WebhookDriftField[], now: Date): boolean {
    const ops = this.operations;
    if (fields.length === 0) {
      if (ops.webhookDrift !== null) this.setOperations({ ...ops, webhookDrift: null }, now);
      return false;
    }
    if (ops.webhookDrift !== null && sameDrift(ops.webhookDrift.fields, fields)) return false;
    this.setOperations({ ...ops, webhookDrift: { fields: [...fields], detectedAt: ops.webhookDrift?.detectedAt ?? now } }, now);
    return ops.webhookDrift === null;
  }

  // --- auth-token rotation ----------------------------------------------------------------

  /** A secondary token exists at Twilio: webhooks signed with either token are accepted until it is promoted. */
  beginTokenRotation(secondary: EncryptedSecret, now: Date): void {
    this.requireOwnedAccount();
    this.setOperations({ ...this.operations, pendingAuthToken: secondary }, now);
  }

  /** Twilio promoted the secondary: it is the only token now, the old one is refused. */
  completeTokenRotation(now: Date): void {
    const pending = this.operations.pendingAuthToken;
    if (!pending) throw new DomainError('INTEGRATION.NO_ROTATION', 'conflict', 'no auth-token rotation is in progress');
    this.state = { ...this.state, authToken: pending };
    this.setOperations({ ...this.operations, pendingAuthToken: null }, now);
  }

  /** The secondary was deleted at Twilio (rotation abandoned): only the primary is accepted again. */
  abandonTokenRotation(now: Date): void {
    if (!this.operations.pendingAuthToken) return;
    this.setOperations({ ...this.operations, pendingAuthToken: null }, now);
  }

  // --- settings -------------------------------------------------------------------------

  updateSettings(
    changes: { friendlyName?: string | null; webhookMethod?: WebhookMethod; sendRatePerSecond?: number; lowBalanceThreshold?: number | null; autoRepairWebhook?: boolean },
    now: Date,
  ): void {
    let next = this.state;
    const ops = this.operations;
    if (changes.lowBalanceThreshold !== undefined && changes.lowBalanceThreshold !== ops.lowBalanceThreshold) {
      next = { ...next, operations: { ...(next.operations ?? ops), lowBalanceThreshold: checkBalanceThreshold(changes.lowBalanceThreshold) } };
    }
    if (changes.autoRepairWebhook !== undefined && changes.autoRepairWebhook !== ops.autoRepairWebhook) {
      next = { ...next, operations: { ...(next.operations ?? ops), autoRepairWebhook: changes.autoRepairWebhook } };
    }
    if (changes.friendlyName !== undefined) next = { ...next, friendlyName: checkFriendlyName(changes.friendlyName) };
    if (changes.webhookMethod !== undefined) next = { ...next, config: { ...next.config, webhookMethod: changes.webhookMethod } };
    if (changes.sendRatePerSecond !== undefined) {
      if (!Number.isInteger(changes.sendRatePerSecond) || changes.sendRatePerSecond < 1 || changes.sendRatePerSecond > 1000) {
        throw new InvalidValueError('sendRatePerSecond', 'must be a whole number from 1 to 1000');
      }
      next = { ...next, sendRatePerSecond: changes.sendRatePerSecond };
    }
    if (next === this.state) return;
    this.state = { ...next, updatedAt: now };
    this.record({ name: 'integration.settings_changed', companyId: this.companyId, aggregateId: this.id, occurredAt: now });
  }

  /** A rotated auth token (credential rotation, or re-encryption under a new key). */
  replaceAuthToken(authToken: EncryptedSecret, now: Date): void {
    if (!this.state.accountSid) throw new DomainError('INTEGRATION.NO_ACCOUNT', 'conflict', 'integration has no Twilio account yet');
    this.state = { ...this.state, authToken, updatedAt: now };
  }

  markRemoved(now: Date): void {
    this.record({ name: 'integration.removed', companyId: this.companyId, aggregateId: this.id, occurredAt: now });
  }

  toSnapshot(): TwilioIntegrationSnapshot {
    return this.state;
  }

  /** Called by repositories once a save succeeded. */
  markSaved(): void {
    this.state = { ...this.state, version: this.state.version + 1 };
  }

  private changeStatus(to: IntegrationStatus, now: Date): void {
    const from = this.state.status;
    if (from === to) return;
    assertTransition(from, to);
    this.state = { ...this.state, status: to, updatedAt: now };
    this.record({ name: 'integration.status_changed', companyId: this.companyId, aggregateId: this.id, occurredAt: now, from, to });
  }

  private setOperations(operations: IntegrationOperations, now: Date): void {
    this.state = { ...this.state, operations, updatedAt: now };
    this.operationsChanged(now);
  }

  private operationsChanged(now: Date): void {
    this.record({ name: 'integration.operations_changed', companyId: this.companyId, aggregateId: this.id, occurredAt: now });
  }

  /** Rotating a token is for accounts Zapdesk created (provisioned subaccounts), never a company's own. */
  private requireOwnedAccount(): void {
    if (this.state.mode !== 'provision' || !this.state.accountSid) {
      throw new DomainError('INTEGRATION.NOT_PROVISIONED', 'conflict', "only a provisioned integration's auth token can be rotated by Zapdesk");
    }
  }

  private requireProvisioning(): ProvisioningState {
    const p = this.state.provisioning;
    if (!p) throw new DomainError('INTEGRATION.NOT_PROVISIONED', 'conflict', 'integration was not provisioned by Zapdesk');
    return p;
  }

  private progressed(step: ProvisioningStepName, now: Date): void {
    this.touch(now);
    this.record({ name: 'integration.provisioning_progressed', companyId: this.companyId, aggregateId: this.id, occurredAt: now, step });
  }

  private touch(now: Date): void {
    this.state = { ...this.state, updatedAt: now };
  }

  private recordCreated(mode: IntegrationMode): void {
    this.record({ name: 'integration.created', companyId: this.companyId, aggregateId: this.id, occurredAt: this.state.createdAt, mode });
  }
}

function checkFriendlyName(name: string | null): string | null {
  if (name === null) return null;
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_FRIENDLY_NAME) {
    throw new InvalidValueError('friendlyName', `must be 1-${MAX_FRIENDLY_NAME} characters`);
  }
  return trimmed;
}
