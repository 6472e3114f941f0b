import { z } from 'zod';
import { EXAMPLE, instant } from '../openapi/common.schemas';

/** `?refresh=true` asks Twilio now; anything else but `false` is refused (strict, like every query). */
export const listTemplatesQuery = z.strictObject({
  refresh: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true')
    .meta({ description: 'true: ask Twilio now instead of using the list read in the last TEMPLATE_CACHE_MS (60 s by default).', example: 'true' }),
});

const TEMPLATE_EXAMPLE = {
  sid: 'HX0123456789abcdef0123456789abcdef',
  friendlyName: 'order_shipped',
  language: 'en',
  variables: [
    { name: '1', sample: 'Ana' },
    { name: '2', sample: '#1042' },
  ],
  types: ['twilio/text'],
  body: 'Hi {{1}}, your order {{2}} has shipped.',
  approval: { status: 'approved', rejectionReason: null, category: 'UTILITY' },
  allowedOutsideWindow: true,
};

export const templateJson = z
  .object({
    sid: z.string().meta({ description: 'The Content SID to send as `contentSid`.' }),
    friendlyName: z.string(),
    language: z.string().meta({ description: 'As stored at Twilio, e.g. `en`, `pt_BR`.' }),
    variables: z
      .array(z.object({ name: z.string(), sample: z.string().nullable().meta({ description: 'The sample value the template was created with.' }) }))
      .meta({ description: 'Every variable a send must fill in `contentVariables`, in order.' }),
    types: z.array(z.string()).meta({ description: 'Content types: `twilio/text`, `twilio/media`, `twilio/quick-reply`, `whatsapp/card`, ...' }),
    body: z.string().nullable().meta({ description: 'The text the customer reads, placeholders kept (the first type with a body).' }),
    approval: z
      .object({
        status: z.string().meta({ description: "WhatsApp's review at Twilio: `approved`, `pending`, `received`, `rejected`, `paused`, `disabled`, `unsubmitted`, ..." }),
        rejectionReason: z.string().nullable(),
        category: z.string().nullable().meta({ description: 'UTILITY, MARKETING, AUTHENTICATION, ...' }),
      })
      .meta({ description: "The template's WhatsApp approval." }),
    allowedOutsideWindow: z.boolean().meta({ description: "Approved: may be sent more than 24 hours after the customer's last message." }),
  })
  .meta({ id: 'Template', example: TEMPLATE_EXAMPLE });

export const templatePage = z
  .object({
    items: z.array(templateJson),
    nextCursor: z.null().meta({ description: 'Always null: every template in one page.' }),
    fetchedAt: instant().meta({ description: 'When Twilio was asked (the list is cached per integration for TEMPLATE_CACHE_MS).' }),
  })
  .meta({ id: 'TemplatePage', description: "The integration's Content templates, by friendly name.", example: { items: [TEMPLATE_EXAMPLE], nextCursor: null, fetchedAt: EXAMPLE.createdAt } });
