import { TwilioCredentials } from './twilio-gateway.port';

/**
 * The Content templates (Twilio Content API, `HX...`) of one Twilio account with their WhatsApp
 * approval. The adapter (`infrastructure/twilio/twilio-content-templates.ts`) reads them with the
 * official SDK and throws a `TwilioGatewayError` on failure, like the TwilioGateway.
 */
export interface ContentTemplate {
  readonly sid: string;
  readonly friendlyName: string;
  /** As Twilio stores it, e.g. `en`, `pt_BR`. */
  readonly language: string;
  /** Variable name → the sample value the template was created with, e.g. `{"1": "Ana"}`. */
  readonly variables: Readonly<Record<string, string>>;
  /** Content type → its definition, e.g. `{"twilio/text": {"body": "Hi {{1}}"}}`. */
  readonly types: Readonly<Record<string, unknown>>;
  readonly whatsappApproval: {
    /** Twilio's: `approved`, `pending`, `received`, `rejected`, `paused`, `disabled`, `unsubmitted`, ... */
    readonly status: string;
    /** Only when WhatsApp rejected it (Twilio sends `""` otherwise). */
    readonly rejectionReason: string | null;
    readonly category: string | null;
  };
}

export interface ContentTemplateSource {
  /** Every template of the account (all pages). */
  listTemplates(account: TwilioCredentials): Promise<ContentTemplate[]>;
}
