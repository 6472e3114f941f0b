import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Viewer } from '../../../application/ports/notification.port';

/** Injection token of the server-sent event streams (implemented by the SSE hub in infrastructure). */
export const EVENT_STREAMS = Symbol('EVENT_STREAMS');

export interface EventStreams {
  /**
   * Takes over `res` and streams the viewer's company events, first those after
   * `lastEventId` (when given). 'unavailable' when the service cannot stream now
   * (starting or shutting down); nothing has been written then.
   */
  open(viewer: Viewer, lastEventId: number | null, req: IncomingMessage, res: ServerResponse): Promise<'streaming' | 'unavailable'>;
}
