import { Container } from 'inversify';
import { AttachmentUploads } from '../../../application/message/attachments/attachment-uploads';
import { TOKENS } from '../../../application/ports/tokens';
import { AttachmentsController } from '../../../interfaces/http/attachments/attachments.controller';
import { HmacMediaUrlSigner } from '../../crypto/hmac-media-url-signer';
import { GridFsAttachmentStore } from '../../persistence/mongoose/attachments/gridfs-attachment.store';
import { CoreDependencies } from '../core-dependencies';
import { CoreModule } from '../core-module';

/** Agents' attachments: uploads into GridFS, and the signed public URLs Twilio fetches them from. */
export const attachmentsModule: CoreModule = {
  name: 'attachments',
  commands: [],
  queries: [],
  controllers: [AttachmentsController],
  bind(c: Container, deps: CoreDependencies): void {
    c.bind(TOKENS.AttachmentStore).toConstantValue(new GridFsAttachmentStore(deps.connection));
    c.bind(TOKENS.MediaUrlSigner).toDynamicValue(() => new HmacMediaUrlSigner(deps.environment.jwtSecret, deps.apiUrl, c.get(TOKENS.Clock)));
    c.bind(AttachmentUploads).toDynamicValue(
      () => new AttachmentUploads(c.get(TOKENS.AttachmentStore), c.get(TOKENS.TicketRepository), c.get(TOKENS.IntegrationRepository), c.get(TOKENS.Clock)),
    );
  },
};
