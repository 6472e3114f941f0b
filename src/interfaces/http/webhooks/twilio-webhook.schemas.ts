import { z } from 'zod';
import { EXAMPLE } from '../openapi/common.schemas';

/**
 * Twilio's webhook parameters, as Twilio sends them (form-encoded). The core reads and checks
 * them after the signature check (which needs them raw), so these schemas document the
 * payload; what the core refuses answers 400 with one detail per parameter.
 */
const sid = (prefix: string, description: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`))
    .meta({ description });

export const inboundWebhookParams = z
  .object({
    MessageSid: sid('(SM|MM)', "Twilio's id of the message: replaying it changes nothing after the first time."),
    AccountSid: sid('AC', 'The account that owns the number.'),
    MessagingServiceSid: sid('MG', 'When the number belongs to a Messaging Service.').optional(),
    From: z.string().meta({ description: 'The customer, `whatsapp:+E164`.', example: `whatsapp:${EXAMPLE.customerNumber}` }),
    To: z.string().meta({ description: 'Our number, `whatsapp:+E164`: finds the integration.', example: `whatsapp:${EXAMPLE.whatsappNumber}` }),
    Body: z.string().optional(),
    NumMedia: z.string().regex(/^\d{1,2}$/).optional().meta({ description: 'How many `MediaUrlN`/`MediaContentTypeN` pairs follow (0-10).' }),
    MediaUrl0: z.string().optional(),
    MediaContentType0: z.string().optional(),
    ProfileName: z.string().optional(),
    WaId: z.string().optional(),
    Latitude: z.string().optional(),
    Longitude: z.string().optional(),
    Address: z.string().optional(),
    Label: z.string().optional(),
    ButtonText: z.string().optional(),
    ButtonPayload: z.string().optional(),
    OriginalRepliedMessageSid: z.string().optional(),
  })
  .meta({
    id: 'TwilioInboundMessage',
    description: "Twilio's inbound WhatsApp message webhook (more `MediaUrlN`/`MediaContentTypeN` pairs may follow; other Twilio parameters are ignored).",
    example: {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      AccountSid: EXAMPLE.accountSid,
      From: `whatsapp:${EXAMPLE.customerNumber}`,
      To: `whatsapp:${EXAMPLE.whatsappNumber}`,
      Body: 'Olá, meu pedido não chegou',
      NumMedia: '0',
      ProfileName: 'Ana',
      WaId: '5511999990000',
    },
  });

export const statusCallbackParams = z
  .object({
    MessageSid: sid('(SM|MM)', 'The outbound message.'),
    AccountSid: sid('AC', 'The account that sent it.'),
    MessagingServiceSid: sid('MG', 'When sent through a Messaging Service.').optional(),
    MessageStatus: z.string().meta({ description: 'queued, sending, sent, delivered, read, failed, undelivered (others are acknowledged and ignored).', example: 'delivered' }),
    From: z.string().meta({ description: 'Our number, `whatsapp:+E164`: finds the integration.', example: `whatsapp:${EXAMPLE.whatsappNumber}` }),
    To: z.string().meta({ example: `whatsapp:${EXAMPLE.customerNumber}` }),
    ErrorCode: z.string().optional().meta({ description: "Twilio's error code of a failed/undelivered message (e.g. 63016)." }),
    ErrorMessage: z.string().optional(),
  })
  .meta({
    id: 'TwilioStatusCallback',
    description: "Twilio's delivery status callback. Statuses only move forward: a late or repeated callback never moves a message back.",
    example: {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      AccountSid: EXAMPLE.accountSid,
      MessageStatus: 'delivered',
      From: `whatsapp:${EXAMPLE.whatsappNumber}`,
      To: `whatsapp:${EXAMPLE.customerNumber}`,
    },
  });

export const statusCallbackQuery = z.object({
  messageId: z.string().optional().meta({ description: "Our message id, which Zapdesk puts in every message's StatusCallback URL.", example: EXAMPLE.messageId }),
  attempt: z.string().optional().meta({ description: 'The delivery attempt the callback belongs to (also set by Zapdesk).', example: '1' }),
});

export const twilioSignatureHeaders = z.object({
  'X-Twilio-Signature': z.string().meta({
    description: 'HMAC-SHA1 (base64) of the public URL Twilio called (API_URL + path + query) followed by every POST parameter sorted by name, keyed with the auth token of the account owning the number.',
    example: 'Lx3OEmhV5WqQmTu6qLqLtYnX4nE=',
  }),
});
