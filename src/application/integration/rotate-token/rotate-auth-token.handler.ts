import { AuthToken } from '../../../domain/integration/auth-token';
import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { DomainError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { TwilioGateway, TwilioGatewayError } from '../../ports/twilio-gateway.port';
import { credentialsOf, loadIntegration } from '../integration-credentials';
import { IntegrationView, toIntegrationView } from '../integration.view';
import { RotateAuthTokenCommand } from './rotate-auth-token.command';

export interface RotationPause {
  /** Waits until every instance has dropped integrations it resolved before the new token was stored. */
  (ms: number): Promise<void>;
}

/**
 * Rotates a provisioned subaccount's auth token with Twilio's secondary-token flow, the
 * integration `active` throughout:
 * 1. create the secondary at Twilio and store it (encrypted) as pending: from then on webhooks
 *    signed with either token are accepted;
 * 2. wait out the instances' webhook caches (so none still knows only the old token), then
 *    promote the secondary (authenticating with it): Twilio now signs with it and refuses the old;
 * 3. store it as the token: webhooks signed with the old one are refused from then on.
 * A call after a crash resumes from the stored pending token; a failed promotion deletes the
 * secondary and leaves the old token in place.
 */
export class RotateAuthTokenHandler {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly twilio: TwilioGateway,
    private readonly cipher: SecretCipher,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
    private readonly pause: RotationPause,
    private readonly cacheDrainMs: number,
  ) {}

  async execute(command: RotateAuthTokenCommand): Promise<IntegrationView> {
    const integration = await loadIntegration(this.integrations, command.companyId, command.integrationId);
    if (integration.isProvisioning) throw new DomainError('INTEGRATION.PROVISIONING', 'conflict', 'the integration is still being set up');
    if (!integration.ownsTwilioResources) {
      throw new DomainError('INTEGRATION.NOT_PROVISIONED', 'conflict', "only a provisioned integration's auth token can be rotated by Zapdesk; rotate your own account's token in the Twilio console");
    }
    const old = credentialsOf(integration, this.cipher);
    if (!integration.operations.pendingAuthToken) {
      const secondary = AuthToken.of(await this.twilio.createSecondaryAuthToken(old), 'secondaryAuthToken');
      integration.beginTokenRotation(this.cipher.encrypt(secondary), this.clock.now());
      await this.saveAndPublish(integration);
    }
    await this.pause(this.cacheDrainMs);
    const pending = { accountSid: old.accountSid, authToken: this.cipher.decrypt(integration.operations.pendingAuthToken!).reveal() };
    try {
      await this.twilio.promoteSecondaryAuthToken(pending);
    } catch (error) {
      if (!(await this.promotedAlready(old, pending))) {
        await this.abandon(integration, old);
        throw error;
      }
    }
    integration.completeTokenRotation(this.clock.now());
    await this.saveAndPublish(integration);
    return toIntegrationView(integration);
  }

  /** An earlier call promoted it and stopped before saving: the old token is refused, the pending one works. */
  private async promotedAlready(old: { accountSid: string; authToken: string }, pending: { accountSid: string; authToken: string }): Promise<boolean> {
    try {
      await this.twilio.fetchAccount(old);
      return false;
    } catch (error) {
      if (!(error instanceof TwilioGatewayError) || error.kind !== 'auth') return false;
    }
    try {
      await this.twilio.fetchAccount(pending);
      return true;
    } catch {
      return false;
    }
  }

  /** Promotion failed: the secondary is deleted at Twilio (best effort) and forgotten here. */
  private async abandon(integration: TwilioIntegration, old: { accountSid: string; authToken: string }): Promise<void> {
    try {
      await this.twilio.deleteSecondaryAuthToken(old);
    } catch (error) {
      // Already gone is what we want; otherwise the pending token stays, and a new call resumes.
      if (!(error instanceof TwilioGatewayError) || error.kind !== 'not_found') return;
    }
    integration.abandonTokenRotation(this.clock.now());
    await this.saveAndPublish(integration);
  }

  private async saveAndPublish(integration: TwilioIntegration): Promise<void> {
    await this.integrations.save(integration);
    await this.events.publishAll(integration.pullDomainEvents());
  }
}
