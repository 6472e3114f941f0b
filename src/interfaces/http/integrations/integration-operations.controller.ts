import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { IntegrationView } from '../../../application/integration/integration.view';
import { RotateAuthTokenCommand } from '../../../application/integration/rotate-token/rotate-auth-token.command';
import type { Viewer } from '../../../application/ports/notification.port';
import { CurrentViewer, Roles } from '../auth/viewer';
import { presentIntegration } from './integration.presenter';

/** Operations on an integration's credentials; documented in `integration-operations.routes.ts`. */
@Controller('integrations')
export class IntegrationOperationsController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Post(':id/rotate-token')
  @Roles('admin')
  @HttpCode(200)
  async rotateToken(@CurrentViewer() viewer: Viewer, @Param('id') id: string) {
    return presentIntegration(await this.commands.execute<RotateAuthTokenCommand, IntegrationView>(new RotateAuthTokenCommand(viewer.companyId, id)));
  }
}
