import { Controller, HttpCode, Inject, Logger, Param, Post, Req, Res, Get } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AttachmentUploads } from '../../../application/message/attachments/attachment-uploads';
import { StoredAttachment } from '../../../application/ports/attachment-store.port';
import type { MediaUrlSigner } from '../../../application/ports/media-url-signer.port';
import type { Viewer } from '../../../application/ports/notification.port';
import { TOKENS } from '../../../application/ports/tokens';
import { DomainError, InvalidValueError } from '../../../domain/shared/domain-error';
import { CurrentViewer, Public, Roles } from '../auth/viewer';
import { bodyGarbage } from '../body-garbage-collector';
import { ApiError } from '../errors/api-error';
import { idOr404 } from '../replies/reply.schemas';
import { isMultipart, receiveMultipart } from './multipart-files';

/** What the API shows of an uploaded attachment. */
export interface AttachmentView {
  readonly id: string;
  readonly ticketId: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly uploadedAt: Date;
}

export function toAttachmentView(attachment: StoredAttachment): AttachmentView {
  const { id, ticketId, filename, contentType, size, uploadedAt } = attachment;
  return { id, ticketId, filename, contentType, size, uploadedAt };
}

/** The same answer for every bad media URL: it reveals nothing (not whether the file exists). */
const MEDIA_NOT_FOUND = new DomainError('MEDIA.NOT_FOUND', 'not_found', 'not found');

/**
 * `POST /tickets/:id/attachments` (files for a later reply) and `GET /media/:id/:expires/:signature`,
 * the signed, expiring public URL Twilio fetches an attachment from. Documented in `attachments.routes.ts`.
 */
@Controller()
export class AttachmentsController {
  private readonly logger = new Logger('attachments');

  constructor(
    @Inject(AttachmentUploads) private readonly uploads: AttachmentUploads,
    @Inject(TOKENS.MediaUrlSigner) private readonly signer: MediaUrlSigner,
  ) {}

  @Post('tickets/:id/attachments')
  @Roles('admin', 'agent')
  @HttpCode(201)
  async upload(@CurrentViewer() viewer: Viewer, @Param('id') rawTicketId: string, @Req() req: Request): Promise<{ items: AttachmentView[] }> {
    const ticketId = idOr404(rawTicketId, 'ticket');
    if (!isMultipart(req)) throw new ApiError(415, 'VALIDATION.UNSUPPORTED_MEDIA_TYPE', `send the files as multipart/form-data, field "files"`);
    await this.uploads.assertTicket(viewer.companyId, ticketId, false);
    const received = await receiveMultipart(req, this.uploads, { companyId: viewer.companyId, ticketId, uploadedBy: viewer.userId }, []);
    if (received.stored.length === 0) throw new InvalidValueError('files', 'no file was sent');
    return { items: received.stored.map(toAttachmentView) };
  }

  @Get('media/:id/:expires/:signature')
  @Public()
  async publicMedia(@Param('id') id: string, @Param('expires') expires: string, @Param('signature') signature: string, @Res() res: Response): Promise<void> {
    const attachmentId = this.signer.verify(id, expires, signature);
    const opened = attachmentId === null ? null : await this.uploads.open(null, attachmentId);
    if (!opened) throw MEDIA_NOT_FOUND;
    res.status(200);
    res.setHeader('Content-Type', opened.attachment.contentType);
    res.setHeader('Content-Length', String(opened.attachment.size));
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    try {
      bodyGarbage.watch(opened.body);
      await pipeline(opened.body, res);
    } catch (error: unknown) {
      if (!res.writableEnded && (error as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        this.logger.warn({ attachmentId, reason: error instanceof Error ? error.message : String(error) }, 'attachment stream broke off');
      }
    }
  }
}
