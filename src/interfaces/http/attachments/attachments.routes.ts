import { z } from 'zod';
import { ApiRoute, errorResponse, notFound } from '../openapi/api-route';
import { EXAMPLE, idParams } from '../openapi/common.schemas';
import { ATTACHMENT_RULES_TEXT, attachmentList, publicMediaParams, uploadFilesForm } from './attachment.schemas';

/** Agents' files for replies, and the signed URL Twilio downloads them from. */
export const ATTACHMENT_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/tickets/{id}/attachments',
    tag: 'replies',
    operationId: 'uploadAttachments',
    summary: 'Upload files for a reply',
    description: `multipart/form-data, field \`files\` (1–10). Streamed into the database (GridFS), never held whole in memory. Send them afterwards with \`POST /tickets/{id}/messages\` \`{"attachments": [ids], "caption"?}\`. ${ATTACHMENT_RULES_TEXT}`,
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: {
      params: idParams('The ticket.', EXAMPLE.ticketId),
      body: { contentType: 'multipart/form-data', schema: uploadFilesForm, examples: {} },
    },
    responses: {
      201: { description: 'Stored: the attachments, in the order sent.', schema: attachmentList },
      404: notFound('ticket', EXAMPLE.ticketId),
      415: errorResponse('Not multipart/form-data.', 'VALIDATION.UNSUPPORTED_MEDIA_TYPE', 'send the files as multipart/form-data, field "files"'),
    },
  },
  {
    method: 'get',
    path: '/media/{id}/{expires}/{signature}',
    tag: 'replies',
    operationId: 'getSignedMedia',
    summary: 'An attachment, at the signed URL given to Twilio',
    description:
      "The `MediaUrl` of an outbound attachment: public (Twilio fetches it without credentials), unguessable and expiring (an HMAC of the id and the expiry, keyed from the service's secret). A wrong, altered or expired URL is a bare 404 that says nothing about the file.",
    auth: 'public',
    request: { params: publicMediaParams },
    responses: {
      200: {
        description: 'The file, with the content type it was uploaded with.',
        contentType: '*/*',
        schema: z.string().meta({ format: 'binary', example: '(the bytes of the file, e.g. a PDF)' }),
      },
      404: errorResponse('Unknown, altered or expired.', 'MEDIA.NOT_FOUND', 'not found'),
    },
  },
];
