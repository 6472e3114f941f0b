import { z } from 'zod';
import { ApiRoute, errorResponse } from '../openapi/api-route';
import { inboundWebhookParams, statusCallbackParams, statusCallbackQuery, twilioSignatureHeaders } from './twilio-webhook.schemas';

const emptyTwiml = {
  description: 'Stored durably: empty TwiML ("received, nothing to reply").',
  contentType: 'text/xml',
  schema: z.string().meta({ example: '<?xml version="1.0" encoding="UTF-8"?><Response/>' }),
};
const badSignature = errorResponse('Missing or wrong `X-Twilio-Signature`: nothing is stored.', 'WEBHOOK.INVALID_SIGNATURE', 'the request does not carry a valid Twilio signature');
const unknownNumber = errorResponse('No integration owns this number in this account: nothing is stored.', 'WEBHOOK.UNKNOWN_NUMBER', 'no integration owns this number in this account');
const tooLarge = errorResponse('The body is over 64 KB.', 'REQUEST.TOO_LARGE', 'request body is too large');
const unavailable = errorResponse(
  'The database is unreachable, or accepting took over 12 s: Twilio retries (the connection-override fragment of the configured SmsUrl).',
  'WEBHOOK.SLOW',
  'the webhook could not be processed in time; Twilio will retry',
);

/** Twilio's webhooks: called by Twilio, signed by Twilio, form-encoded. Not for people. */
export const TWILIO_WEBHOOK_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/ticket-messages/webhook',
    tag: 'twilio webhooks',
    operationId: 'twilioInboundMessage',
    summary: 'Twilio: an inbound WhatsApp message',
    description:
      "Called by Twilio for every customer message, form-encoded and signed (`X-Twilio-Signature`, checked with the auth token of the account that owns `To` over `API_URL` + path + query). Answered 200 only once the message is durably stored; replaying a `MessageSid` changes nothing after the first time. The ticket, the message and the real-time events follow at once in the background. Configure it as the number's SmsUrl (`POST /integrations/{id}/webhook/sync` does).",
    auth: 'twilio',
    request: {
      headers: twilioSignatureHeaders,
      body: {
        contentType: 'application/x-www-form-urlencoded',
        schema: inboundWebhookParams,
        examples: { text: { summary: 'A text message', value: inboundWebhookParams.meta()?.example } },
      },
    },
    responses: { 200: emptyTwiml, 403: badSignature, 404: unknownNumber, 413: tooLarge, 503: unavailable },
  },
  {
    method: 'post',
    path: '/ticket-messages/status',
    tag: 'twilio webhooks',
    operationId: 'twilioStatusCallback',
    summary: "Twilio: a reply's delivery status",
    description:
      "Called by Twilio for each delivery status of a reply (the StatusCallback Zapdesk sets on every message: this URL with `?messageId=`), form-encoded and signed, checked with the auth token of the account that owns `From`. On `failed`/`undelivered` the error code is stored with a readable explanation and the agent is notified; `21610` marks the contact opted out. Unknown messages and untracked statuses are acknowledged and change nothing.",
    auth: 'twilio',
    request: {
      query: statusCallbackQuery,
      headers: twilioSignatureHeaders,
      body: {
        contentType: 'application/x-www-form-urlencoded',
        schema: statusCallbackParams,
        examples: { delivered: { summary: 'Delivered', value: statusCallbackParams.meta()?.example } },
      },
    },
    responses: { 200: emptyTwiml, 403: badSignature, 404: unknownNumber, 413: tooLarge, 503: unavailable },
  },
];
