import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Viewer } from '../../../application/ports/notification.port';
import { CurrentViewer, Roles } from '../auth/viewer';
import { ApiError } from '../errors/api-error';
import { parseWith } from '../validation/zod-body';
import { EVENT_STREAMS, EventStreams } from './event-stream';

const eventId = z.string().regex(/^\d{1,15}$/, 'must be an event id (a non-negative integer)');
// Not strict: EventSource polyfills add their own parameters (evs_*).
const streamQuery = z.object({ access_token: z.string().optional(), lastEventId: eventId.optional() });
const lastEventIdHeader = z.object({ 'Last-Event-ID': eventId.optional() });

@ApiTags('events')
@ApiBearerAuth()
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
  @ApiQuery({ name: 'lastEventId', required: false })
  async stream(
    @CurrentViewer() viewer: Viewer,
    @Headers('last-event-id') header: string | undefined,
    @Query() rawQuery: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const query = parseWith(streamQuery, rawQuery);
    // The header wins: a browser reconnects with it while the URL keeps its first lastEventId.
    const fromHeader = parseWith(lastEventIdHeader, header ? { 'Last-Event-ID': header } : {})['Last-Event-ID'];
    const lastEventId = fromHeader ?? query.lastEventId;
    const outcome = await this.streams.open(viewer, lastEventId === undefined ? null : Number(lastEventId), req, res);
    if (outcome === 'unavailable') throw new ApiError(503, 'SERVICE.UNAVAILABLE', 'the event stream is not available right now; retry shortly');
  }
}
