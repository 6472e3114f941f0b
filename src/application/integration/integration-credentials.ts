import { DomainError, NotFoundError } from '../../domain/shared/domain-error';
import { IntegrationRepository } from '../../domain/integration/integration.repository';
import { TwilioIntegration } from '../../domain/integration/twilio-integration';
import { SecretCipher } from '../ports/secret-cipher.port';
import { TwilioCredentials, TwilioGatewayError } from '../ports/twilio-gateway.port';

/** The integration's Twilio account with its token decrypted, for one call. */
export function credentialsOf(integration: TwilioIntegration, cipher: SecretCipher): TwilioCredentials {
  if (!integration.accountSid || !integration.authToken) {
    throw new DomainError('INTEGRATION.NO_ACCOUNT', 'conflict', 'the integration has no Twilio account yet');
  }
  return { accountSid: integration.accountSid, authToken: cipher.decrypt(integration.authToken).reveal() };
}

export async function loadIntegration(repository: IntegrationRepository, companyId: string, id: string): Promise<TwilioIntegration> {
  const integration = await repository.findById(companyId, id);
  if (!integration) throw new NotFoundError('integration', id);
  return integration;
}

/** A one-line, secret-free description of a Twilio failure for lastError and notifications. */
export function describeTwilioFailure(error: unknown): string {
  // The gateway's messages already name the operation, HTTP status and Twilio code, secret-free.
  if (error instanceof TwilioGatewayError) return error.message;
  if (error instanceof DomainError) return error.message;
  return 'unexpected error while talking to Twilio';
}
