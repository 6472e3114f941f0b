import { ApiRoute, errorResponse } from '../openapi/api-route';
import { lastEventIdHeader, serverSentEvent, streamQuery } from './event.schemas';

/** `GET /events`: the company's server-sent events. */
export const EVENT_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/events',
    tag: 'events',
    operationId: 'streamEvents',
    summary: "Server-sent events of the caller's company",
    description: [
      'A `text/event-stream` that stays open. Each event is `event:` (its name), `id:` (a sequence number, increasing across all instances) and `data:` (JSON):',
      '',
      '| event | data |',
      '|---|---|',
      '| `integration.updated` | the `Integration` (or `{id, companyId, removed: true}`) |',
      '| `ticket.created`, `ticket.updated` | the `Ticket` |',
      '| `message.created`, `message.updated` | the `Message` |',
      '| `notification.created` | the `Notification` (to its recipients only) |',
      "| `stream.reset` | `{\"reason\":\"history_unavailable\",\"action\":\"refetch\"}`: the events missed are gone; refetch the lists |",
      '',
      'Reconnect with `Last-Event-ID` (browsers do it themselves) to receive exactly what was missed, in order, then live events. A fresh stream first sends an id-only block with the current position. Heartbeat comments (`:`) keep it open; `retry:` advises the reconnect delay. The token may come as `?access_token=` (EventSource cannot set headers): on this route only.',
      '',
      'Swagger UI cannot show a stream that never ends: try `curl -N -H "Authorization: Bearer $TOKEN" localhost:3000/events`.',
    ].join('\n'),
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { query: streamQuery, headers: lastEventIdHeader },
    responses: {
      200: { description: 'The stream; each item is one event.', contentType: 'text/event-stream', schema: serverSentEvent },
      503: errorResponse('The instance is starting or stopping: reconnect shortly.', 'SERVICE.UNAVAILABLE', 'the event stream is not available right now; retry shortly'),
    },
  },
];
