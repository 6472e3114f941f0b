import { Readable } from 'node:stream';
import { AttachmentRule, attachmentRuleFor, attachmentTooLarge } from '../../../domain/message/attachment-policy';
import { MediaItem } from '../../../domain/message/message';
import { MAX_REPLY_PARTS } from '../../../domain/message/reply';
import { DomainError, InvalidValueError, NotFoundError } from '../../../domain/shared/domain-error';
import { TicketRepository } from '../../../domain/ticket/ticket.repository';
import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { AttachmentStore, AttachmentTooLargeError, StoredAttachment } from '../../ports/attachment-store.port';
import { Clock } from '../../ports/clock.port';
import { attachmentIdOf, attachmentRef } from '../../ports/media-url-signer.port';
import { assertReplyAllowed } from '../send-message/outbound-send-rules';

function attachmentNotFound(id: string): DomainError {
  return new DomainError('ATTACHMENT.NOT_FOUND', 'not_found', `attachment ${id.slice(0, 64)} was not found`);
}

/**
 * Files agents attach to replies: checked against WhatsApp's types and limits, streamed
 * into the attachment store (past its limit a file is stopped and nothing of it is kept),
 * and turned into the media of a reply's messages.
 */
export class AttachmentUploads {
  constructor(
    private readonly store: AttachmentStore,
    private readonly tickets: TicketRepository,
    private readonly integrations: IntegrationRepository,
    private readonly clock: Clock,
  ) {}

  /** Before any byte is stored: the ticket is the company's (404), and for a reply, the reply rules hold (409/422). */
  async assertTicket(companyId: string, ticketId: string, forReply: boolean): Promise<void> {
    const ticket = await this.tickets.findById(companyId, ticketId);
    if (!ticket) throw new NotFoundError('ticket', ticketId);
    if (!forReply) return;
    const integration = await this.integrations.findById(companyId, ticket.integrationId);
    assertReplyAllowed({ ticket, integration, isTemplate: false, now: this.clock.now() });
  }

  /** The declared type's rule (a 400 naming the accepted types), checked before the bytes are read. */
  ruleFor(contentType: string, filename: string): AttachmentRule {
    return attachmentRuleFor(contentType, filename);
  }

  /**
   * Streams one file in; a 400 naming the limit when it is too large (nothing of it stored; the
   * caller drains `content`). `forReply`: the file is sent by the reply storing it (multipart
   * reply), so it is stored as used and the sweep of unsent uploads never takes it.
   */
  async storeFile(
    input: { companyId: string; ticketId: string; uploadedBy: string; filename: string; rule: AttachmentRule; forReply?: boolean },
    content: Readable,
  ): Promise<StoredAttachment> {
    try {
      return await this.store.store(
        {
          companyId: input.companyId,
          ticketId: input.ticketId,
          uploadedBy: input.uploadedBy,
          filename: input.filename,
          contentType: input.rule.contentType,
          maxBytes: input.rule.maxBytes,
          ...(input.forReply ? { usedAt: this.clock.now() } : {}),
        },
        content,
      );
    } catch (error) {
      if (error instanceof AttachmentTooLargeError) throw attachmentTooLarge(input.rule, input.filename);
      throw error;
    }
  }

  /** Files of an upload that ended in a refusal: removed, so a refused request stores nothing. */
  async discard(attachments: readonly StoredAttachment[]): Promise<void> {
    for (const attachment of attachments) await this.store.delete(attachment.id);
  }

  /**
   * Media of a reply from attachments uploaded first (`POST /tickets/:id/attachments`), in the
   * order given. Each file is checked, then claimed (marked used, one conditional write each):
   * a file the sweep of unsent uploads deleted first is not found, one claimed first is never
   * swept. If the send fails after the claim, the file simply stays as used (kept, like a sent
   * one): acceptable, it is only storage, and the agent may still send it.
   */
  async mediaOf(companyId: string, ticketId: string, ids: readonly string[]): Promise<MediaItem[]> {
    if (ids.length > MAX_REPLY_PARTS) throw new InvalidValueError('attachments', `at most ${MAX_REPLY_PARTS} attachments per reply (one WhatsApp message each)`);
    if (new Set(ids).size !== ids.length) throw new InvalidValueError('attachments', 'an attachment is listed twice');
    const attachments: StoredAttachment[] = [];
    for (const id of ids) {
      const attachment = await this.store.find(companyId, id);
      if (!attachment) throw attachmentNotFound(id);
      if (attachment.ticketId !== ticketId) throw new InvalidValueError('attachments', `attachment ${id} was uploaded to another ticket`);
      attachments.push(attachment);
    }
    const now = this.clock.now();
    for (const attachment of attachments) {
      if (!(await this.store.claim(companyId, attachment.id, now))) throw attachmentNotFound(attachment.id);
    }
    return AttachmentUploads.mediaOfStored(attachments);
  }

  /** Media of a reply from files just stored. */
  static mediaOfStored(attachments: readonly StoredAttachment[]): MediaItem[] {
    return attachments.map((attachment) => ({ url: attachmentRef(attachment.id), contentType: attachment.contentType }));
  }

  /** An outbound media item's bytes (agents' media route), null when it is not a stored attachment of this company. */
  async open(companyId: string | null, url: string): Promise<{ attachment: StoredAttachment; body: Readable } | null> {
    const id = attachmentIdOf(url) ?? url;
    const attachment = await this.store.find(companyId, id);
    return attachment ? { attachment, body: this.store.openStream(attachment.id) } : null;
  }
}
