import { Container } from 'inversify';
import { AttachmentUploads } from '../../../application/message/attachments/attachment-uploads';
import { TOKENS } from '../../../application/ports/tokens';
import { AttachmentsController } from '../../../interfaces/http/attachments/attachments.controller';
import { HmacMediaUrlSigner } from '../../crypto/hmac-media-url-signer';
import { GridFsAttachmentStore } from '../../persistence/mongoose/attachments/gridfs-attachment.store';
import { GridFsUnsentAttachmentSweeper } from '../../persistence/mongoose/attachments/gridfs-unsent-attachment-sweeper';
import { MongoOperationLease } from '../../persistence/mongoose/operation-lease';
import { AttachmentSweepWorker } from '../../workers/attachment-sweep-worker';
import { CoreDependencies } from '../core-dependencies';
import { CoreModule } from '../core-module';

/** At most this many unsent files (and orphaned uploads) go per sweep pass: a pass stays short. */
const SWEEP_MAX_PER_PASS = 1000;

/**
 * Agents' attachments: uploads into GridFS, the signed public URLs Twilio fetches them from,
 * and the sweep that deletes files uploaded first and never sent.
 */
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
    const sweep = deps.environment.attachmentSweep;
    c.bind(GridFsUnsentAttachmentSweeper).toConstantValue(new GridFsUnsentAttachmentSweeper(deps.connection, { ttlMs: sweep.unsentTtlMs, maxPerPass: SWEEP_MAX_PER_PASS }));
    c.bind(AttachmentSweepWorker).toDynamicValue(
      () =>
        new AttachmentSweepWorker(
          c.get(GridFsUnsentAttachmentSweeper),
          new MongoOperationLease(deps.connection, 'attachment-sweep'),
          c.get(TOKENS.Clock),
          sweep.intervalMs,
          (message, context) => deps.info?.(message, context),
          deps.reportError,
        ),
    );
  },
  workers: (c) => [c.get(AttachmentSweepWorker)],
};
