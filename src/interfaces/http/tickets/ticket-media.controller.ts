import { Controller, Get, Inject, Logger, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetMessageMediaQuery, MessageMedia } from '../../../application/message/get-message-media/get-message-media.query';
import type { Viewer } from '../../../application/ports/notification.port';
import { TwilioGatewayError } from '../../../application/ports/twilio-gateway.port';
import { CurrentViewer, Roles } from '../auth/viewer';
import { bodyGarbage } from '../body-garbage-collector';
import { parseWith } from '../validation/zod-body';
import { mediaFailure } from './media-failure';
import { mediaParams } from './ticket.schemas';

const MEDIA_TYPE = /^[A-Za-z0-9][\w.+-]*\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"\r\n]*"|[\w.+-]+))*$/;

/** `GET /ticket-messages/:id/media/:n`: the n-th media of a message, streamed from Twilio. */
@Controller('ticket-messages')
export class TicketMediaController {
  private readonly logger = new Logger('media');

  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get(':id/media/:n')
  @Roles('admin', 'agent')
  async media(@CurrentViewer() viewer: Viewer, @Param('id') id: string, @Param('n') n: string, @Res() res: Response): Promise<void> {
    const { n: index } = parseWith(mediaParams, { n }, 'path');
    const media = await this.open(new GetMessageMediaQuery(viewer.companyId, id, index), res);
    res.status(200);
    res.setHeader('Content-Type', MEDIA_TYPE.test(media.contentType) ? media.contentType : 'application/octet-stream');
    if (media.contentLength !== null) res.setHeader('Content-Length', String(media.contentLength));
    // Private to the signed-in user; short, so a revoked session stops seeing it soon.
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Customer-sent bytes on the API's origin must never run as a page (HTML, SVG scripts).
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    try {
      const body = Readable.from(media.body, { objectMode: false });
      bodyGarbage.watch(body);
      await pipeline(body, res);
    } catch (error: unknown) {
      // Headers are gone: the client sees a cut-off body. A client hanging up is no failure.
      if (!res.writableEnded && (error as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        this.logger.warn({ messageId: id, index, reason: error instanceof Error ? error.message : String(error) }, 'media stream broke off');
      }
    }
  }

  private async open(query: GetMessageMediaQuery, res: Response): Promise<MessageMedia> {
    try {
      return await this.queries.execute<GetMessageMediaQuery, MessageMedia>(query);
    } catch (error: unknown) {
      if (!(error instanceof TwilioGatewayError)) throw error;
      this.logger.warn({ messageId: query.messageId, index: query.index, kind: error.kind, reason: error.message }, 'media could not be opened');
      if (error.kind === 'transient' && error.retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
      throw mediaFailure(error);
    }
  }
}
