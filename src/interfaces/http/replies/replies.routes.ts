import { ApiRoute, errorResponse, notFound } from '../openapi/api-route';
import { EXAMPLE, idParams } from '../openapi/common.schemas';
import { messageJson } from '../tickets/ticket.schemas';
import { ATTACHMENT_RULES_TEXT, replyWithFilesForm } from '../attachments/attachment.schemas';
import { sendMessageBody } from './reply.schemas';

/** Agents' replies: answered 202 with the message `queued`; delivery follows as `message.updated` events. */
export const REPLY_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/tickets/{id}/messages',
    tag: 'replies',
    operationId: 'sendReply',
    summary: 'Reply on a ticket',
    description:
      "Free-form text or files within 24 hours of the customer's last message, or a WhatsApp template (Twilio Content API) at any time. Answered 202 with the message `queued`; delivery happens in the background and its progress arrives as `message.updated` events (sent → delivered → read, or failed with `error`).\n\n" +
      "**Replies of several WhatsApp messages.** A text over 1,600 characters (Twilio's limit for one message) is split at paragraph, else sentence, else word boundaries into at most 10 messages; files go one per message (WhatsApp carries one media each), the caption on the first. Each message goes out only after the previous one was accepted by Twilio. The reply is one entry (one id) whose `status` is its slowest message's, with `parts` listing each message's SID, status and attempts; a retry resends its failed parts only.\n\n" +
      "**Files.** Either `multipart/form-data` with `files` (1–10) and an optional `caption`, or JSON `{\"attachments\": [ids], \"caption\"?}` naming files uploaded first with `POST /tickets/{id}/attachments`. " +
      ATTACHMENT_RULES_TEXT +
      ' Twilio downloads each file from a signed, expiring URL under API_URL (`GET /media/{id}/{expires}/{signature}`).',
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: {
      params: idParams('The ticket.', EXAMPLE.ticketId),
      body: {
        contentType: 'application/json',
        schema: sendMessageBody,
        examples: {
          text: { summary: 'Free-form text', value: { body: 'Olá Ana! Vou verificar o seu pedido agora.' } },
          template: { summary: 'A WhatsApp template', value: { contentSid: 'HX0123456789abcdef0123456789abcdef', contentVariables: { '1': 'Ana' } } },
          attachments: { summary: 'Files uploaded first, with a caption', value: { attachments: ['6650f2e4a1b2c3d4e5f60801'], caption: 'Segue a nota fiscal' } },
        },
        alternatives: [{ contentType: 'multipart/form-data', schema: replyWithFilesForm }],
      },
    },
    responses: {
      202: { description: 'Accepted: the message (the reply), `queued`.', schema: messageJson },
      404: notFound('ticket', EXAMPLE.ticketId),
      400: errorResponse(
        "Invalid input (`VALIDATION.INVALID_REQUEST`; `VALIDATION.INVALID_VALUE` for a text that would take more than 10 messages, more than 10 files, a file type WhatsApp does not take or a file over its limit, 5 MB images and 16 MB others, nothing stored), or a template send that cannot work: the `contentSid` is not a template of the number's Twilio account (`TEMPLATE.NOT_FOUND`), a variable it needs is missing or blank (`TEMPLATE.MISSING_VARIABLE`, one detail per variable) or it has no such variable (`TEMPLATE.UNKNOWN_VARIABLE`). See `GET /integrations/{id}/templates`.",
        'TEMPLATE.MISSING_VARIABLE',
        'template "order_shipped" (HX0123456789abcdef0123456789abcdef) needs contentVariables "2"',
      ),
      409: errorResponse(
        "The ticket is closed (`TICKET.CLOSED`), its integration is not active (`MESSAGE.INTEGRATION_NOT_ACTIVE`), or, more than 24 hours after the customer's last message, the template is not approved by WhatsApp (`TEMPLATE.NOT_APPROVED`, naming its status or rejection reason).",
        'TICKET.CLOSED',
        "the ticket is closed; replies go to the contact's open ticket",
      ),
      422: errorResponse(
        'Free-form text outside the 24-hour window (`MESSAGE.OUTSIDE_CUSTOMER_SERVICE_WINDOW`: send a template), or the customer opted out (`MESSAGE.CONTACT_OPTED_OUT`).',
        'MESSAGE.OUTSIDE_CUSTOMER_SERVICE_WINDOW',
        "free-form messages are allowed only within 24 hours of the customer's last message; send a template (contentSid) instead",
      ),
      503: errorResponse(
        "A template send, and Twilio's Content API could not be asked whether the template exists and is approved (`TEMPLATE.CATALOGUE_UNAVAILABLE`; 502 `TEMPLATE.TWILIO_AUTH_FAILED` when Twilio refused the credentials). Nothing was queued.",
        'TEMPLATE.CATALOGUE_UNAVAILABLE',
        "Twilio's Content API could not be reached or is busy; try again shortly",
      ),
    },
  },
  {
    method: 'post',
    path: '/ticket-messages/{id}/retry',
    tag: 'replies',
    operationId: 'retryMessage',
    summary: 'Send a failed reply again',
    description:
      'Only `failed`/`undelivered` outbound messages: back to `queued` with a fresh attempt budget. For a reply of several messages, only its failed parts are sent again.',
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { params: idParams('The message.', EXAMPLE.messageId) },
    responses: {
      202: { description: 'Accepted: the message, `queued` again.', schema: messageJson },
      404: notFound('message', EXAMPLE.messageId),
      409: errorResponse('The message is not a failed outbound message.', 'MESSAGE.NOT_RETRYABLE', 'only failed or undelivered messages can be retried, this one is delivered'),
    },
  },
];
