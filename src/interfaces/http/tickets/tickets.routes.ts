import { z } from 'zod';
import { ApiRoute, errorResponse, notFound } from '../openapi/api-route';
import { EXAMPLE, idParams } from '../openapi/common.schemas';
import { listMessagesQuery, listTicketsQuery, mediaParams, messagePage, ticketJson, ticketPage, updateTicketBody } from './ticket.schemas';

const ticketId = idParams('The ticket.', EXAMPLE.ticketId);
const missingTicket = notFound('ticket', EXAMPLE.ticketId);

/** `/tickets` and the media of their messages: agents and admins of the company. */
export const TICKET_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/tickets',
    tag: 'tickets',
    operationId: 'listTickets',
    summary: "The company's tickets, newest activity first",
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { query: listTicketsQuery },
    responses: { 200: { description: 'One page of tickets.', schema: ticketPage } },
  },
  {
    method: 'get',
    path: '/tickets/{id}',
    tag: 'tickets',
    operationId: 'getTicket',
    summary: 'One ticket',
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { params: ticketId },
    responses: { 200: { description: 'The ticket.', schema: ticketJson }, 404: missingTicket },
  },
  {
    method: 'patch',
    path: '/tickets/{id}',
    tag: 'tickets',
    operationId: 'updateTicket',
    summary: 'Change the status of a ticket, or mark it read',
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: {
      params: ticketId,
      body: {
        contentType: 'application/json',
        schema: updateTicketBody,
        examples: {
          close: { summary: 'Close it', value: { status: 'closed' } },
          read: { summary: 'Mark it read', value: { read: true } },
        },
      },
    },
    responses: {
      200: { description: 'The ticket as changed.', schema: ticketJson },
      404: missingTicket,
      409: errorResponse('Not allowed from the current status (a closed ticket stays closed).', 'TICKET.INVALID_TRANSITION', 'ticket cannot go from closed to open'),
    },
  },
  {
    method: 'get',
    path: '/tickets/{id}/messages',
    tag: 'tickets',
    operationId: 'listTicketMessages',
    summary: "A ticket's messages, oldest first",
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { params: ticketId, query: listMessagesQuery },
    responses: { 200: { description: 'One page of messages.', schema: messagePage }, 404: missingTicket },
  },
  {
    method: 'get',
    path: '/ticket-messages/{id}/media/{n}',
    tag: 'tickets',
    operationId: 'getMessageMedia',
    summary: 'The n-th media item of a message, streamed',
    description: 'Streamed from Twilio with the integration\'s credentials (only ever sent to Twilio\'s own media URL). `Content-Security-Policy: sandbox`: never run as a page.',
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { params: idParams('The message.', EXAMPLE.messageId).extend(mediaParams.shape) },
    responses: {
      200: {
        description: 'The bytes, with the media type Twilio gave (`application/octet-stream` when it gave none that is valid).',
        contentType: '*/*',
        schema: z.string().meta({ format: 'binary', example: '(the bytes of the media, e.g. a JPEG image)' }),
      },
      400: errorResponse('`n` is not a media index.', 'VALIDATION.INVALID_REQUEST', 'the request is invalid: n must be the media index: 0, 1, ...'),
      404: notFound('message', EXAMPLE.messageId),
      422: errorResponse("The stored URL is not a Twilio media URL of the integration's account: Zapdesk does not fetch it.", 'MEDIA.URL_REFUSED', 'the stored media URL is not a Twilio media URL of the integration\'s account; Zapdesk does not fetch it'),
      502: errorResponse("Twilio refused the integration's credentials, or failed.", 'MEDIA.TWILIO_AUTH_FAILED', "Twilio refused the integration's credentials; validate the integration"),
      503: {
        ...errorResponse('Twilio could not be reached or is busy; try again shortly.', 'MEDIA.TWILIO_UNAVAILABLE', 'Twilio could not be reached or is busy; try again shortly'),
        headers: { 'Retry-After': { description: 'Seconds to wait, when Twilio said so.', schema: { type: 'integer' } } },
      },
    },
  },
];
