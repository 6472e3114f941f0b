import { z } from 'zod';
import { ATTACHMENT_LIMITS, ATTACHMENT_TYPES } from '../../../domain/message/attachment-policy';
import { MAX_CAPTION_LENGTH, MAX_REPLY_PARTS } from '../../../domain/message/reply';
import { instant } from '../openapi/common.schemas';

const MB = 1024 * 1024;
const binary = z.string().meta({ format: 'binary' });

/** The accepted types and limits, as the API documentation states them. */
export const ATTACHMENT_RULES_TEXT = `Accepted: ${Object.keys(ATTACHMENT_TYPES).join(', ')}. At most ${ATTACHMENT_LIMITS.image / MB} MB for an image, ${ATTACHMENT_LIMITS.video / MB} MB for audio, video and documents (Twilio's WhatsApp limits); a file past its limit, or of another type, is refused with 400 and nothing of the request is stored.`;

export const uploadFilesForm = z
  .object({
    files: z.array(binary).min(1).max(MAX_REPLY_PARTS).meta({ description: `1–${MAX_REPLY_PARTS} files, each with its content type. ${ATTACHMENT_RULES_TEXT}` }),
  })
  .meta({ id: 'AttachmentUpload' });

export const replyWithFilesForm = z
  .object({
    files: z.array(binary).min(1).max(MAX_REPLY_PARTS).meta({ description: `1–${MAX_REPLY_PARTS} files: one WhatsApp message each, in this order. ${ATTACHMENT_RULES_TEXT}` }),
    caption: z.string().max(MAX_CAPTION_LENGTH).optional().meta({ description: `Shown under the first file (WhatsApp's caption, at most ${MAX_CAPTION_LENGTH} characters).` }),
  })
  .meta({ id: 'FilesReply' });

export const attachmentJson = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int().min(0).meta({ description: 'Bytes.' }),
    uploadedAt: instant(),
  })
  .meta({ id: 'Attachment' });

export const attachmentList = z
  .object({ items: z.array(attachmentJson) })
  .meta({
    id: 'AttachmentList',
    example: { items: [{ id: '6650f2e4a1b2c3d4e5f60801', ticketId: '6650f1d9a1b2c3d4e5f60720', filename: 'nota.pdf', contentType: 'application/pdf', size: 48213, uploadedAt: '2026-05-24T12:00:00.000Z' }] },
  });

export const publicMediaParams = z.strictObject({
  id: z.string().meta({ description: 'The attachment.', example: '6650f2e4a1b2c3d4e5f60801' }),
  expires: z.string().meta({ description: 'Expiry, Unix seconds.', example: '1780000000' }),
  signature: z.string().meta({ description: 'HMAC-SHA256 of id and expiry (base64url).', example: 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg' }),
});
