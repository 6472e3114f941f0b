import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Viewer } from '../../../application/ports/notification.port';
import { CurrentViewer, Roles } from '../auth/viewer';
import { ApiError } from '../errors/api-error';
import { parseWith } from '../validation/zod-body';
import { lastEventIdHeader, streamQuery } from './event.schemas';
import { EVENT_STREAMS, EventStreams } from './event-stream';

/** Documented in `events.routes.ts`. */
@Controller('events')
export class EventsController {
  constructor(@Inject(EVENT_STREAMS) private readonly streams: EventStreams) {}

  /**
   * Server-sent events of the caller's company. The token may come as `?access_token=`
   * (EventSource cannot set headers); `Last-Event-ID` (or `?lastEventId=`) replays what
   * the client missed.
   */
  @Get()
  @Roles('admin', 'agent')
  async stream(
    @CurrentViewer() viewer: Viewer,
    @Headers('last-event-id') header: string | undefined,
    @Query() rawQuery: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const query = parseWith(streamQuery, rawQuery, 'query');
    // The header wins: a browser reconnects with it while the URL keeps its first lastEventId.
    const fromHeader = parseWith(lastEventIdHeader, header ? { 'Last-Event-ID': header } : {}, 'header')['Last-Event-ID'];
    const lastEventId = fromHeader ?? query.lastEventId;
    const outcome = await this.streams.open(viewer, lastEventId === undefined ? null : Number(lastEventId), req, res);
    if (outcome === 'unavailable') throw new ApiError(503, 'SERVICE.UNAVAILABLE', 'the event stream is not available right now; retry shortly');
  }
}
