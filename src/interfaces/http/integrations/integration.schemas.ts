import { z } from 'zod';
import { isE164 } from '../../../domain/shared/phone-number';

const friendlyName = z.string().trim().min(1).max(64);

/** E.164, with or without `whatsapp:` and the separators people type. */
const whatsappNumber = z
  .string()
  .max(40)
  .refine((raw) => isE164(raw.trim().replace(/^whatsapp:/i, '').replace(/[\s\-().]/g, '')), 'must be an E.164 phone number such as +14155550100');

export const createIntegrationBody = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('provision'),
    countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US'),
    areaCode: z.string().regex(/^\d{2,5}$/, 'must be 2-5 digits').optional(),
    friendlyName: friendlyName.optional(),
  }),
  z.strictObject({
    mode: z.literal('existing'),
    accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'must be "AC" followed by 32 hex digits'),
    authToken: z.string().regex(/^[\x21-\x7e]{16,128}$/, 'must be a Twilio auth token'),
    whatsappNumber,
    friendlyName: friendlyName.optional(),
  }),
]);

export const updateIntegrationBody = z
  .strictObject({
    friendlyName: friendlyName.nullable().optional(),
    webhookMethod: z.enum(['POST', 'GET']).optional(),
    status: z.enum(['active', 'inactive']).optional(),
    sendRatePerSecond: z.number().int().min(1).max(1000).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change');
