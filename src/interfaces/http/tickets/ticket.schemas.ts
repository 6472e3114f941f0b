import { z } from 'zod';
import { MESSAGE_STATUSES } from '../../../domain/message/delivery-status';
import { TICKET_STATUSES } from '../../../domain/ticket/ticket-status';
import { EXAMPLE, instant, pageOf } from '../openapi/common.schemas';
import { pageCursor as cursor, pageLimit as limit } from '../validation/page-query';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id');

/** Query strings are strict too: a misspelt filter is refused rather than silently ignored. */
export const listTicketsQuery = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional().meta({ description: 'Only tickets in this status.' }),
  integrationId: id.optional().meta({ description: "Only this integration's tickets.", example: EXAMPLE.integrationId }),
  cursor: cursor.optional(),
  limit: limit.optional(),
});

export const listMessagesQuery = z.strictObject({ cursor: cursor.optional(), limit: limit.optional() });

export const updateTicketBody = z
  .strictObject({
    status: z.enum(TICKET_STATUSES).optional(),
    /** Only `true`: unread counts go up with customer messages, never by hand. */
    read: z.literal(true).optional(),
  })
  .refine((body) => body.status !== undefined || body.read !== undefined, 'name at least one of status, read')
  .meta({ id: 'UpdateTicket', description: 'Move the ticket along open → pending → closed, and/or mark it read.', example: { status: 'closed' } });

/** WhatsApp allows 10 media per message; two digits leave room without accepting nonsense. */
export const mediaParams = z.strictObject({
  n: z
    .string()
    .regex(/^\d{1,2}$/, 'must be the media index: 0, 1, ...')
    .transform(Number)
    .meta({ description: 'Index of the media item in the message (0 for the first).', example: '0' }),
});

const TICKET_EXAMPLE = {
  id: EXAMPLE.ticketId,
  companyId: EXAMPLE.companyId,
  integrationId: EXAMPLE.integrationId,
  contact: { whatsappNumber: EXAMPLE.customerNumber, profileName: 'Ana', waId: '5511999990000', optedOut: false },
  status: 'open' as const,
  unreadCount: 1,
  lastMessage: { preview: 'Olá, meu pedido não chegou', at: EXAMPLE.updatedAt, direction: 'inbound' as const },
  lastInboundAt: EXAMPLE.updatedAt,
  createdAt: EXAMPLE.createdAt,
  updatedAt: EXAMPLE.updatedAt,
};

/** A ticket as the API and `ticket.*` events show it (the ticket read model). */
export const ticketJson = z
  .object({
    id: z.string(),
    companyId: z.string(),
    integrationId: z.string(),
    contact: z.object({
      whatsappNumber: z.string().meta({ description: "The customer's number, E.164." }),
      profileName: z.string().nullable(),
      waId: z.string().nullable(),
      optedOut: z.boolean().meta({ description: 'The customer sent STOP (Twilio 21610): sends are refused until they write again.' }),
    }),
    status: z.enum(TICKET_STATUSES),
    unreadCount: z.number().int().min(0),
    lastMessage: z.object({ preview: z.string(), at: instant(), direction: z.enum(['inbound', 'outbound']) }).nullable(),
    lastInboundAt: instant().nullable().meta({ description: "The customer's last message: free-form replies are allowed for 24 hours after it." }),
    createdAt: instant(),
    updatedAt: instant(),
  })
  .meta({ id: 'Ticket', example: TICKET_EXAMPLE });

const MESSAGE_EXAMPLE = {
  id: EXAMPLE.messageId,
  companyId: EXAMPLE.companyId,
  ticketId: EXAMPLE.ticketId,
  integrationId: EXAMPLE.integrationId,
  direction: 'outbound' as const,
  body: 'Olá Ana! Vou verificar o seu pedido agora.',
  media: [],
  template: null,
  extras: null,
  twilioSid: null,
  status: 'queued' as const,
  error: null,
  attempts: 0,
  senderUserId: 'agent-7',
  createdAt: EXAMPLE.updatedAt,
  updatedAt: EXAMPLE.updatedAt,
};

/** A message as the API and `message.*` events show it. */
export const messageJson = z
  .object({
    id: z.string(),
    companyId: z.string(),
    ticketId: z.string(),
    integrationId: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    body: z.string(),
    media: z
      .array(z.object({ index: z.number().int().min(0), contentType: z.string(), url: z.string().meta({ description: 'Relative URL of `GET /ticket-messages/{id}/media/{n}`.' }) }))
      .meta({ description: 'Media the customer sent; open them through the media route (Twilio needs credentials).' }),
    template: z.object({ contentSid: z.string(), contentVariables: z.record(z.string(), z.string()) }).nullable(),
    extras: z
      .object({
        latitude: z.string().optional(),
        longitude: z.string().optional(),
        address: z.string().optional(),
        label: z.string().optional(),
        buttonText: z.string().optional(),
        buttonPayload: z.string().optional(),
        repliedToSid: z.string().optional(),
      })
      .nullable()
      .meta({ description: 'WhatsApp extras of an inbound message: location, button reply, replied-to message.' }),
    twilioSid: z.string().nullable(),
    status: z.enum(MESSAGE_STATUSES).meta({ description: 'Inbound: `received`. Outbound: queued → sending → sent → delivered → read, or failed/undelivered.' }),
    error: z.object({ code: z.number().int().nullable().meta({ description: "Twilio's error code." }), message: z.string() }).nullable(),
    attempts: z.number().int().min(0),
    senderUserId: z.string().nullable().meta({ description: 'The agent who sent an outbound message.' }),
    createdAt: instant(),
    updatedAt: instant(),
    parts: z
      .array(
        z
          .object({
            id: z.string().meta({ description: 'The id of this WhatsApp message (the first part has the reply\'s id).' }),
            part: z.number().int().min(1),
            body: z.string(),
            media: z.array(z.object({ index: z.number().int().min(0), contentType: z.string(), url: z.string() })),
            twilioSid: z.string().nullable(),
            status: z.enum(MESSAGE_STATUSES),
            error: z.object({ code: z.number().int().nullable(), message: z.string() }).nullable(),
            attempts: z.number().int().min(0),
            updatedAt: instant(),
          })
          .meta({ id: 'ReplyPart' }),
      )
      .optional()
      .meta({
        description:
          'Only on a reply sent as several WhatsApp messages (a text over 1,600 characters, or attachments: one message each): every part with its own SID, status and attempts, in sending order. The reply\'s `status` is its slowest part\'s (failed if any part failed); `body` joins the parts\' texts; retrying the reply resends its failed parts only.',
      }),
  })
  .meta({ id: 'Message', example: MESSAGE_EXAMPLE });

export const ticketPage = pageOf('Ticket', ticketJson, TICKET_EXAMPLE);
export const messagePage = pageOf('Message', messageJson, MESSAGE_EXAMPLE);
