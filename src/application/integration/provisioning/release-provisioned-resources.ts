import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { TwilioGateway, TwilioGatewayError } from '../../ports/twilio-gateway.port';
import { credentialsOf } from '../integration-credentials';

interface Deps {
  readonly twilio: TwilioGateway;
  readonly cipher: SecretCipher;
  readonly config: ServiceConfig;
}

/**
 * Undoes provisioning: releases the bought number, then closes the subaccount (which is
 * irreversible, so it goes last). Already released / closed counts as done.
 */
export async function releaseProvisionedResources(integration: TwilioIntegration, deps: Deps): Promise<void> {
  if (!integration.accountSid) return;
  const subAccount = credentialsOf(integration, deps.cipher);
  if (integration.numberSid) await ignoreNotFound(deps.twilio.releaseNumber(subAccount, integration.numberSid));
  const master = deps.config.masterAccount;
  if (master) await ignoreNotFound(deps.twilio.closeSubAccount(master, integration.accountSid));
}

async function ignoreNotFound(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TwilioGatewayError && error.kind === 'not_found') return;
    throw error;
  }
}
