import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { MessageRepository } from '../../../domain/message/message.repository';
import { DomainError, NotFoundError } from '../../../domain/shared/domain-error';
import { credentialsOf } from '../../integration/integration-credentials';
import { AttachmentStore } from '../../ports/attachment-store.port';
import { attachmentIdOf } from '../../ports/media-url-signer.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { MediaContent, TwilioGateway } from '../../ports/twilio-gateway.port';

export class GetMessageMediaQuery {
  constructor(
    readonly companyId: string,
    readonly messageId: string,
    /** Zero-based position in the message's media list. */
    readonly index: number,
  ) {}
}

export interface MessageMedia extends MediaContent {
  /** Twilio's content type, else the one the webhook announced. */
  readonly contentType: string;
}

/**
 * The n-th media of a message, downloaded from Twilio with the credentials of the account
 * that received it. Twilio failures surface as TwilioGatewayError for the edge to map.
 */
export class GetMessageMediaHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly integrations: IntegrationRepository,
    private readonly cipher: SecretCipher,
    private readonly twilio: TwilioGateway,
    /** Where the attachments of agents' replies are kept. */
    private readonly attachments?: AttachmentStore,
  ) {}

  async execute(query: GetMessageMediaQuery): Promise<MessageMedia> {
    const message = await this.messages.findById(query.companyId, query.messageId);
    if (!message) throw new NotFoundError('message', query.messageId);
    const item = message.toSnapshot().media[query.index];
    if (!item) throw new DomainError('MESSAGE.MEDIA_NOT_FOUND', 'not_found', `message ${query.messageId} has no media ${query.index}`);
    const attachmentId = attachmentIdOf(item.url);
    if (attachmentId !== null) {
      // An agent's attachment: Zapdesk's own copy, not Twilio's.
      const attachment = this.attachments ? await this.attachments.find(query.companyId, attachmentId) : null;
      if (!attachment || !this.attachments) throw new DomainError('MESSAGE.MEDIA_UNAVAILABLE', 'not_found', 'the attachment of this message is no longer stored');
      return { contentType: attachment.contentType, contentLength: attachment.size, body: this.attachments.openStream(attachment.id) };
    }
    const integration = await this.integrations.findById(query.companyId, message.integrationId);
    if (!integration) {
      throw new DomainError('MESSAGE.MEDIA_UNAVAILABLE', 'not_found', 'the integration that received this media no longer exists');
    }
    const content = await this.twilio.openMedia(credentialsOf(integration, this.cipher), item.url);
    return { ...content, contentType: content.contentType ?? item.contentType };
  }
}
