import { TwilioCredentials } from './twilio-gateway.port';

/** The few settings use cases need; read once from the environment by infrastructure. */
export interface ServiceConfig {
  /** Public base URL of this service, no trailing slash: webhook URLs and signature checks. */
  readonly apiUrl: string;
  /** The platform's master Twilio account: provisioning creates subaccounts under it. */
  readonly masterAccount: TwilioCredentials | null;
  /** How often the provisioning saga looks at a sender under review. */
  readonly senderPollIntervalMs: number;
}
