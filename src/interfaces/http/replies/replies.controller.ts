import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MessageView } from '../../../application/message/message.view';
import { RetryMessageCommand } from '../../../application/message/retry-message/retry-message.command';
import { SendMessageCommand } from '../../../application/message/send-message/send-message.command';
import type { Viewer } from '../../../application/ports/notification.port';
import { NotFoundError } from '../../../domain/shared/domain-error';
import { CurrentViewer, Roles } from '../auth/viewer';
import { parseWith } from '../validation/zod-body';
import { messageIdParam, sendMessageBody } from './reply.schemas';

/**
 * Agents' replies. Both routes answer 202 with the message `queued`: delivery happens in the
 * background (the durable outbox) and its progress arrives as `message.updated` events.
 * Documented in `replies.routes.ts`.
 */
@Controller()
export class RepliesController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Post('tickets/:id/messages')
  @Roles('admin', 'agent')
  @HttpCode(202)
  async send(@CurrentViewer() viewer: Viewer, @Param('id') rawTicketId: string, @Body() raw: unknown): Promise<MessageView> {
    const ticketId = idOr404(rawTicketId, 'ticket');
    const body = parseWith(sendMessageBody, raw);
    const content = 'body' in body ? { body: body.body } : { contentSid: body.contentSid, contentVariables: body.contentVariables ?? {} };
    return this.commands.execute<SendMessageCommand, MessageView>(new SendMessageCommand(viewer.companyId, ticketId, viewer.userId, content));
  }

  @Post('ticket-messages/:id/retry')
  @Roles('admin', 'agent')
  @HttpCode(202)
  async retry(@CurrentViewer() viewer: Viewer, @Param('id') rawMessageId: string): Promise<MessageView> {
    const messageId = idOr404(rawMessageId, 'message');
    return this.commands.execute<RetryMessageCommand, MessageView>(new RetryMessageCommand(viewer.companyId, messageId));
  }
}

/** An id we could never have issued names nothing: 404, like any unknown id. */
function idOr404(raw: string, aggregate: string): string {
  if (!messageIdParam.safeParse(raw).success) throw new NotFoundError(aggregate, raw.slice(0, 64));
  return raw;
}
