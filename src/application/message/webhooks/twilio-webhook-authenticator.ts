import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { DomainError, InvalidValueError } from '../../../domain/shared/domain-error';
import { normalizeE164 } from '../../../domain/shared/phone-number';
import { credentialsOf } from '../../integration/integration-credentials';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { WebhookSignatureVerifier } from '../../ports/webhook-signature.port';
import { TwilioWebhookRequest, singleParam } from './twilio-webhook-request';

/** Which kind of webhook: it decides which number is ours (To inbound, From in callbacks). */
export type WebhookKind = 'inbound' | 'status';

export class WebhookSignatureError extends DomainError {
  constructor() {
    // Same answer for missing and wrong signatures: nothing to learn by probing.
    super('WEBHOOK.INVALID_SIGNATURE', 'forbidden', 'the request does not carry a valid Twilio signature');
  }
}

export class UnknownWebhookNumberError extends DomainError {
  constructor() {
    super('WEBHOOK.UNKNOWN_NUMBER', 'not_found', 'no integration owns this number in this account');
  }
}

/**
 * How long an instance may keep a resolved integration (and so its token) in memory. An
 * auth-token rotation waits this long after storing the new token and before promoting it,
 * so no instance still holds only the old token when the old one must start being refused.
 */
export const WEBHOOK_INTEGRATION_CACHE_MS = 5_000;

/**
 * Resolves the integration a Twilio webhook is about and proves Twilio sent it. The same
 * resolution serves the signature check and the processing, so a request can never be
 * verified with one account's token and applied to another's integration:
 * (AccountSid, To) for inbound messages, (AccountSid, From) for status callbacks.
 * (Zapdesk does not attach numbers to Messaging Services, so `MessagingServiceSid` never
 * selects another integration; the account and our number always do.)
 */
export class TwilioWebhookAuthenticator {
  /**
   * Recently resolved integrations by `<AccountSid>:<number>`: a burst of webhooks for one
   * number costs one lookup. Kept briefly, and bypassed when a signature fails (a rotated
   * token is picked up at once); a status change is seen within `cacheTtlMs`.
   */
  private readonly recent = new Map<string, { integration: TwilioIntegration; until: number }>();

  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly cipher: SecretCipher,
    private readonly verifier: WebhookSignatureVerifier,
    private readonly config: ServiceConfig,
    private readonly cacheTtlMs = WEBHOOK_INTEGRATION_CACHE_MS,
  ) {}

  async authenticate(request: TwilioWebhookRequest, kind: WebhookKind): Promise<TwilioIntegration> {
    const accountSid = singleParam(request.params, 'AccountSid');
    const ourField = kind === 'inbound' ? 'To' : 'From';
    const ourNumberRaw = singleParam(request.params, ourField);
    if (!accountSid || !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw new InvalidValueError('AccountSid', 'missing or not an account SID');
    if (!ourNumberRaw) throw new InvalidValueError(ourField, 'missing');
    const ourNumber = normalizeE164(ourNumberRaw, ourField);

    const key = `${accountSid}:${ourNumber}`;
    const cached = this.recent.get(key);
    if (cached && cached.until > Date.now() && this.signedBy(cached.integration, request)) return cached.integration;

    const integration = await this.integrations.findByAccountAndNumber(accountSid, ourNumber);
    if (!integration || !integration.authToken) {
      this.recent.delete(key);
      throw new UnknownWebhookNumberError();
    }
    if (!this.signedBy(integration, request)) throw new WebhookSignatureError();
    // Mid-rotation the old token must stop verifying the moment the new one is promoted: no caching then.
    if (integration.operations.pendingAuthToken) return integration;
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(key, { integration, until: Date.now() + this.cacheTtlMs });
    return integration;
  }

  /**
   * Signed with the account's token or, while a rotation is under way, with the new token
   * created but not promoted yet (Twilio signs with whichever is primary at its end).
   */
  private signedBy(integration: TwilioIntegration, request: TwilioWebhookRequest): boolean {
    if (request.signature === null || request.signature === '') return false;
    const { authToken } = credentialsOf(integration, this.cipher);
    if (this.verifiedWith(authToken, request)) return true;
    const pending = integration.operations.pendingAuthToken;
    return pending !== null && this.verifiedWith(this.cipher.decrypt(pending).reveal(), request);
  }

  private verifiedWith(authToken: string, request: TwilioWebhookRequest): boolean {
    return this.verifier.verify({
      authToken,
      signature: request.signature!,
      url: `${this.config.apiUrl}${request.pathAndQuery}`,
      params: request.params,
      ...(request.signatureSettings ? { signatureSettings: request.signatureSettings } : {}),
    });
  }
}
