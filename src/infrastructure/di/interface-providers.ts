import { Provider, Type } from '@nestjs/common';
import { Container } from 'inversify';
import { AttachmentUploads } from '../../application/message/attachments/attachment-uploads';
import { TOKENS } from '../../application/ports/tokens';
import { IntegrationsController } from '../../interfaces/http/integrations/integrations.controller';
import { NotificationsController } from '../../interfaces/http/notifications/notifications.controller';
import { OperationsController } from '../../interfaces/http/operations/operations.controller';
import { CORE_MODULES } from './core-modules';

/** Controllers of `interfaces/` beyond health; each issue's endpoints are added here. */
export const HTTP_CONTROLLERS: Type[] = [IntegrationsController, NotificationsController, OperationsController, ...CORE_MODULES.flatMap((module) => module.controllers)];

/** Core services that interface code injects directly (by port token). */
export function interfaceProviders(container: Container): Provider[] {
  return [
    { provide: AttachmentUploads, useFactory: () => container.get(AttachmentUploads) },
    { provide: TOKENS.MediaUrlSigner, useFactory: () => container.get(TOKENS.MediaUrlSigner) },
  ];
}
