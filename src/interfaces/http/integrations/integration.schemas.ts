import { getAlpha2Codes } from 'i18n-iso-countries';
import { z } from 'zod';
import { PROVISIONING_STEPS } from '../../../application/integration/integration.view';
import { INTEGRATION_STATUSES } from '../../../domain/integration/integration-status';
import { isE164 } from '../../../domain/shared/phone-number';
import { EXAMPLE, instant, pageOf } from '../openapi/common.schemas';
import { MONITORING_EXAMPLE, monitoringJson, monitoringSettings } from './integration-monitoring.schemas';

const friendlyName = z.string().trim().min(1).max(64).meta({ description: 'A name for people.', example: 'Support' });

/** ISO 3166-1 alpha-2 codes, from a maintained list: a made-up code (`ZZ`) is refused up front. */
const COUNTRY_CODES = Object.keys(getAlpha2Codes()).sort() as [string, ...string[]];
const countryCode = z
  .enum(COUNTRY_CODES, { error: 'must be an ISO 3166-1 alpha-2 country code such as US' })
  .meta({ description: 'ISO 3166-1 alpha-2 code of the country to buy the number in.', example: 'US' });

/** E.164, with or without `whatsapp:` and the separators people type. */
const whatsappNumber = z
  .string()
  .max(40)
  .refine((raw) => isE164(raw.trim().replace(/^whatsapp:/i, '').replace(/[\s\-().]/g, '')), 'must be an E.164 phone number such as +14155550100')
  .meta({ description: 'The WhatsApp number of the account, E.164 (`whatsapp:` and separators are accepted).', example: EXAMPLE.whatsappNumber });

const provisionBody = z
  .strictObject({
    mode: z.literal('provision'),
    countryCode,
    areaCode: z.string().regex(/^\d{2,5}$/, 'must be 2-5 digits').optional().meta({ description: 'Local area code to search numbers in.', example: '415' }),
    friendlyName: friendlyName.optional(),
  })
  .meta({ id: 'ProvisionIntegration', description: 'Zapdesk creates a Twilio subaccount, buys a number, points its webhooks here and registers the WhatsApp sender.' });

const existingBody = z
  .strictObject({
    mode: z.literal('existing'),
    accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'must be "AC" followed by 32 hex digits').meta({ example: EXAMPLE.accountSid }),
    authToken: z
      .string()
      .regex(/^[\x21-\x7e]{16,128}$/, 'must be a Twilio auth token')
      .meta({ description: 'Stored encrypted; never shown again by the API.', format: 'password', example: '0123456789abcdef0123456789abcdef' }),
    whatsappNumber,
    friendlyName: friendlyName.optional(),
  })
  .meta({ id: 'ExistingIntegration', description: "The company's own Twilio account and WhatsApp number; the credentials are checked with Twilio at once." });

export const createIntegrationBody = z.discriminatedUnion('mode', [provisionBody, existingBody]);

export const updateIntegrationBody = z
  .strictObject({
    friendlyName: friendlyName.nullable().optional(),
    webhookMethod: z.enum(['POST', 'GET']).optional(),
    status: z.enum(['active', 'inactive']).optional().meta({ description: 'Pause (`inactive`) or resume (`active`) the integration.' }),
    sendRatePerSecond: z.number().int().min(1).max(1000).optional().meta({ description: 'Outbound messages per second for this number (Twilio allows 80 by default).' }),
    ...monitoringSettings,
  })
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change')
  .meta({ id: 'UpdateIntegration', example: { friendlyName: 'Night shift', status: 'inactive' } });

/** An integration as the API shows it (SPEC §3): never the auth token. */
const integrationShape = z.object({
  id: z.string(),
  companyId: z.string(),
  mode: z.enum(['provision', 'existing']),
  accountSid: z.string().nullable().meta({ description: 'Null until provisioning created the subaccount.' }),
  whatsappNumber: z.string().nullable().meta({ description: 'E.164; null until provisioning bought the number.' }),
  status: z.enum(INTEGRATION_STATUSES),
  friendlyName: z.string().optional(),
  config: z.object({
    webhookUrl: z.string(),
    webhookMethod: z.enum(['POST', 'GET']),
    lastError: z.string().optional().meta({ description: 'Why the integration is in `error`.' }),
    lastErrorDate: instant().optional(),
  }),
  provisioningStep: z.enum(PROVISIONING_STEPS).optional().meta({ description: 'While provisioning (`pending`): the step under way.' }),
  sendRatePerSecond: z.number().int(),
  monitoring: monitoringJson,
  createdAt: instant(),
  updatedAt: instant(),
});
export type IntegrationJson = z.infer<typeof integrationShape>;

const INTEGRATION_EXAMPLE: IntegrationJson = {
  id: EXAMPLE.integrationId,
  companyId: EXAMPLE.companyId,
  mode: 'provision',
  accountSid: EXAMPLE.accountSid,
  whatsappNumber: EXAMPLE.whatsappNumber,
  status: 'active',
  friendlyName: 'Support',
  config: { webhookUrl: 'https://zapdesk.example.com/ticket-messages/webhook', webhookMethod: 'POST' },
  sendRatePerSecond: 80,
  monitoring: MONITORING_EXAMPLE,
  createdAt: EXAMPLE.createdAt,
  updatedAt: EXAMPLE.updatedAt,
};

export const integrationJson = integrationShape.meta({ id: 'Integration', example: INTEGRATION_EXAMPLE });
export const integrationPage = pageOf('Integration', integrationJson, INTEGRATION_EXAMPLE);
