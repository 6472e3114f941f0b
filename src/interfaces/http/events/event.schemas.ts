import { z } from 'zod';
import { integrationJson } from '../integrations/integration.schemas';
import { notificationJson } from '../notifications/notification.schemas';
import { messageJson, ticketJson } from '../tickets/ticket.schemas';

const eventId = z.string().regex(/^\d{1,15}$/, 'must be an event id (a non-negative integer)');

/** Not strict: EventSource polyfills add their own parameters (evs_*). */
export const streamQuery = z.object({
  access_token: z
    .string()
    .optional()
    .meta({ description: 'The bearer token, for EventSource (which cannot set headers). Accepted on this route only.' }),
  lastEventId: eventId.optional().meta({ description: 'Resume after this event id (the `Last-Event-ID` header wins).', example: '1042' }),
});

export const lastEventIdHeader = z.object({
  'Last-Event-ID': eventId.optional().meta({ description: 'Sent by browsers when they reconnect: the events after it are replayed, in order.', example: '1042' }),
});

const streamEvent = <N extends string, T extends z.ZodType>(name: N, data: T, description: string) =>
  z
    .object({
      event: z.literal(name),
      id: z.string().meta({ description: 'Sequence number, increasing across all instances.', example: '1043' }),
      data,
    })
    .meta({ id: `Event_${name.replace('.', '_')}`, description: `${description} \`data\` is JSON.` });

/**
 * One server-sent event of `GET /events`, as `event:`, `id:` and `data:` (JSON) lines. These
 * are the read models the REST API answers, so a client applies events and pages alike.
 */
export const serverSentEvent = z
  .discriminatedUnion('event', [
    streamEvent('integration.updated', z.union([integrationJson, z.object({ id: z.string(), companyId: z.string(), removed: z.literal(true) })]), 'An integration changed (or `{id, companyId, removed: true}`).'),
    streamEvent('ticket.created', ticketJson, 'A ticket was opened.'),
    streamEvent('ticket.updated', ticketJson, 'A ticket changed (message counted, status, read).'),
    streamEvent('message.created', messageJson, 'A message arrived or a reply was queued.'),
    streamEvent('message.updated', messageJson, "A message's delivery status changed."),
    streamEvent('notification.created', notificationJson, 'A notification for this user (sent to its recipients only).'),
    streamEvent('stream.reset', z.object({ reason: z.literal('history_unavailable'), action: z.literal('refetch') }), 'The events missed are no longer kept: refetch the lists.'),
  ])
  .meta({
    id: 'ServerSentEvent',
    description: 'Keep the entity with the newest `updatedAt`: after a crash an event may come twice. Heartbeat comments (`:`) keep the stream open.',
    example: { event: 'ticket.updated', id: '1043', data: ticketJson.meta()?.example },
  });
