import { TwilioIntegration } from '../../domain/integration/twilio-integration';
import { Clock } from '../ports/clock.port';
import { SecretCipher } from '../ports/secret-cipher.port';
import { TwilioGateway } from '../ports/twilio-gateway.port';
import { credentialsOf, describeTwilioFailure } from './integration-credentials';

/**
 * Tests an integration's account against Twilio and applies the verdict to the aggregate:
 * success (re)activates a pending or failed integration, any failure marks it `error`.
 * The caller saves, notifies and publishes.
 */
export class ConnectionCheck {
  constructor(
    private readonly twilio: TwilioGateway,
    private readonly cipher: SecretCipher,
    private readonly clock: Clock,
  ) {}

  async run(integration: TwilioIntegration): Promise<boolean> {
    try {
      const credentials = credentialsOf(integration, this.cipher);
      await this.twilio.fetchAccount(credentials);
      if (integration.whatsappNumber) {
        const number = await this.twilio.findNumber(credentials, integration.whatsappNumber);
        integration.recordNumberSid(number?.sid ?? integration.numberSid, this.clock.now());
      }
      if (integration.status === 'pending' || integration.status === 'error') integration.activate(this.clock.now());
      return true;
    } catch (error) {
      integration.markFailed(describeTwilioFailure(error), this.clock.now());
      return false;
    }
  }
}
