import { z } from 'zod';
import { MAX_BODY_LENGTH } from '../../../domain/message/message';
import { MAX_CAPTION_LENGTH, MAX_REPLY_PARTS } from '../../../domain/message/reply';
import { NotFoundError } from '../../../domain/shared/domain-error';

/** A longer text could never fit in MAX_REPLY_PARTS messages; the exact part count is the domain's check. */
const MAX_REPLY_LENGTH = MAX_BODY_LENGTH * MAX_REPLY_PARTS;

const MAX_TEMPLATE_VARIABLES = 100;
const MAX_VARIABLE_LENGTH = 1024;

const variables = z
  .record(z.string().min(1).max(64), z.string().max(MAX_VARIABLE_LENGTH))
  .refine((value) => Object.keys(value).length <= MAX_TEMPLATE_VARIABLES, `at most ${MAX_TEMPLATE_VARIABLES} variables`);

/** Twilio's ContentVariables: a JSON object of strings, given as an object or as its JSON text. */
const contentVariables = z.union([
  variables,
  z
    .string()
    .max(64 * 1024)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of strings' });
        return z.NEVER;
      }
    })
    .pipe(variables),
], { error: 'must be a JSON object of strings, or its JSON text' });

/** `{"body"}` (free-form text) or `{"contentSid","contentVariables"?}` (a WhatsApp template). */
export const sendMessageBody = z.union(
  [
    z
      .strictObject({
        body: z
          .string()
          .max(MAX_REPLY_LENGTH, `must be at most ${MAX_REPLY_LENGTH} characters (${MAX_REPLY_PARTS} WhatsApp messages of ${MAX_BODY_LENGTH})`)
          .refine((text) => text.trim().length > 0, 'must not be empty')
          .meta({
            description: `The reply text. Past ${MAX_BODY_LENGTH} characters (Twilio's limit for one message) it is sent as several WhatsApp messages, split at paragraph, else sentence, else word boundaries, in order, shown as one reply; at most ${MAX_REPLY_PARTS} messages (else 400).`,
            example: 'Olá Ana! Vou verificar o seu pedido agora.',
          }),
      })
      .meta({ id: 'FreeFormReply', description: "Free-form text: allowed within 24 hours of the customer's last message (else 422)." }),
    z
      .strictObject({
        contentSid: z
          .string()
          .regex(/^HX[0-9a-fA-F]{32}$/, 'must be a Twilio Content SID (HX followed by 32 hex digits)')
          .meta({ description: 'A WhatsApp template of the Twilio Content API.', example: 'HX0123456789abcdef0123456789abcdef' }),
        contentVariables: contentVariables.optional().meta({ description: "The template's variables, as an object or as its JSON text.", example: { '1': 'Ana' } }),
      })
      .meta({ id: 'TemplateReply', description: 'A WhatsApp template: allowed at any time, the only way to write outside the 24-hour window.' }),
    z
      .strictObject({
        attachments: z
          .array(z.string().regex(/^[0-9a-f]{24}$/, 'must be an attachment id'))
          .min(1)
          .max(MAX_REPLY_PARTS)
          .meta({ description: `Ids of files uploaded first with \`POST /tickets/{id}/attachments\` (1–${MAX_REPLY_PARTS}): one WhatsApp message each, in this order.`, example: ['6650f2e4a1b2c3d4e5f60801'] }),
        caption: z
          .string()
          .max(MAX_CAPTION_LENGTH)
          .optional()
          .meta({ description: `Shown under the first attachment (WhatsApp's caption, at most ${MAX_CAPTION_LENGTH} characters).`, example: 'Segue a nota fiscal' }),
      })
      .meta({ id: 'AttachmentReply', description: "Files uploaded first: allowed within 24 hours of the customer's last message (else 422)." }),
  ],
  {
    error:
      'send {"body": "<text>"} for a free-form reply, {"attachments": ["<id>", …], "caption"?: "<text>"} for files uploaded first, or {"contentSid": "HX…", "contentVariables"?: {…}} for a WhatsApp template',
  },
);

export const messageIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id');

/** An id we could never have issued names nothing: 404, like any unknown id. */
export function idOr404(raw: string, aggregate: string): string {
  if (!messageIdParam.safeParse(raw).success) throw new NotFoundError(aggregate, raw.slice(0, 64));
  return raw;
}

/** The multipart text field of a reply with files. */
export const CAPTION_FIELD = 'caption';
