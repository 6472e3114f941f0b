import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AttachmentUploads } from '../../../application/message/attachments/attachment-uploads';
import { CommandBus } from '@nestjs/cqrs';
import { MessageView } from '../../../application/message/message.view';
import { RetryMessageCommand } from '../../../application/message/retry-message/retry-message.command';
import { SendMessageCommand } from '../../../application/message/send-message/send-message.command';
import type { Viewer } from '../../../application/ports/notification.port';
import { InvalidValueError } from '../../../domain/shared/domain-error';
import { isMultipart, receiveMultipart } from '../attachments/multipart-files';
import { CurrentViewer, Roles } from '../auth/viewer';
import { parseWith } from '../validation/zod-body';
import { CAPTION_FIELD, idOr404, sendMessageBody } from './reply.schemas';

/**
 * Agents' replies. Both routes answer 202 with the message `queued`: delivery happens in the
 * background (the durable outbox) and its progress arrives as `message.updated` events.
 * Documented in `replies.routes.ts`.
 */
@Controller()
export class RepliesController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(AttachmentUploads) private readonly uploads: AttachmentUploads,
  ) {}

  @Post('tickets/:id/messages')
  @Roles('admin', 'agent')
  @HttpCode(202)
  async send(@CurrentViewer() viewer: Viewer, @Param('id') rawTicketId: string, @Body() raw: unknown, @Req() req: Request): Promise<MessageView> {
    const ticketId = idOr404(rawTicketId, 'ticket');
    if (isMultipart(req)) return this.sendFiles(viewer, ticketId, req);
    const body = parseWith(sendMessageBody, raw);
    if ('attachments' in body) {
      const media = await this.uploads.mediaOf(viewer.companyId, ticketId, body.attachments);
      return this.commands.execute<SendMessageCommand, MessageView>(new SendMessageCommand(viewer.companyId, ticketId, viewer.userId, { body: body.caption ?? '', media }));
    }
    const content = 'body' in body ? { body: body.body } : { contentSid: body.contentSid, contentVariables: body.contentVariables ?? {} };
    return this.commands.execute<SendMessageCommand, MessageView>(new SendMessageCommand(viewer.companyId, ticketId, viewer.userId, content));
  }

  /** Files and a caption in one multipart request: the reply rules are checked before any byte is stored. */
  private async sendFiles(viewer: Viewer, ticketId: string, req: Request): Promise<MessageView> {
    await this.uploads.assertTicket(viewer.companyId, ticketId, true);
    const received = await receiveMultipart(req, this.uploads, { companyId: viewer.companyId, ticketId, uploadedBy: viewer.userId, forReply: true }, [CAPTION_FIELD]);
    try {
      if (received.stored.length === 0) throw new InvalidValueError('files', 'no file was sent; send {"body"} as JSON for a text reply');
      const media = AttachmentUploads.mediaOfStored(received.stored);
      const caption = received.fields[CAPTION_FIELD] ?? '';
      return await this.commands.execute<SendMessageCommand, MessageView>(new SendMessageCommand(viewer.companyId, ticketId, viewer.userId, { body: caption, media }));
    } catch (error) {
      // Refused after all (a caption too long, a rule that changed meanwhile): keep nothing.
      await this.uploads.discard(received.stored).catch(() => undefined);
      throw error;
    }
  }

  @Post('ticket-messages/:id/retry')
  @Roles('admin', 'agent')
  @HttpCode(202)
  async retry(@CurrentViewer() viewer: Viewer, @Param('id') rawMessageId: string): Promise<MessageView> {
    const messageId = idOr404(rawMessageId, 'message');
    return this.commands.execute<RetryMessageCommand, MessageView>(new RetryMessageCommand(viewer.companyId, messageId));
  }
}

