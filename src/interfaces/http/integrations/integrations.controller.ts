import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CreateIntegrationCommand } from '../../../application/integration/create-integration/create-integration.command';
import { FindWhatsAppIntegrationQuery } from '../../../application/integration/find-whatsapp-integration/find-whatsapp-integration.query';
import { GetIntegrationQuery } from '../../../application/integration/get-integration/get-integration.query';
import { IntegrationView } from '../../../application/integration/integration.view';
import { ListIntegrationsQuery } from '../../../application/integration/list-integrations/list-integrations.query';
import { RemoveIntegrationCommand } from '../../../application/integration/remove-integration/remove-integration.command';
import { SyncWebhookCommand } from '../../../application/integration/sync-webhook/sync-webhook.command';
import { UpdateIntegrationCommand } from '../../../application/integration/update-integration/update-integration.command';
import { ValidateConnectionCommand } from '../../../application/integration/validate-connection/validate-connection.command';
import type { Viewer } from '../../../application/ports/notification.port';
import { CurrentViewer, Roles } from '../auth/viewer';
import { parseWith } from '../validation/zod-body';
import { presentIntegration } from './integration.presenter';
import { createIntegrationBody, updateIntegrationBody } from './integration.schemas';

/** Documented in `integrations.routes.ts`. */
@Controller('integrations')
export class IntegrationsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Post()
  @Roles('admin')
  async create(@CurrentViewer() viewer: Viewer, @Body() raw: unknown) {
    const body = parseWith(createIntegrationBody, raw);
    const command =
      body.mode === 'provision'
        ? new CreateIntegrationCommand(viewer.companyId, 'provision', body.friendlyName ?? null, body.countryCode, body.areaCode ?? null, null, null, null)
        : new CreateIntegrationCommand(viewer.companyId, 'existing', body.friendlyName ?? null, null, null, body.accountSid, body.authToken, body.whatsappNumber);
    return presentIntegration(await this.commands.execute<CreateIntegrationCommand, IntegrationView>(command));
  }

  @Get()
  @Roles('admin')
  async list(@CurrentViewer() viewer: Viewer) {
    const views = await this.queries.execute<ListIntegrationsQuery, IntegrationView[]>(new ListIntegrationsQuery(viewer.companyId));
    return onePage(views);
  }

  @Get('whatsapp')
  @Roles('admin', 'agent')
  async whatsapp(@CurrentViewer() viewer: Viewer) {
    const views = await this.queries.execute<FindWhatsAppIntegrationQuery, IntegrationView[]>(new FindWhatsAppIntegrationQuery(viewer.companyId));
    return onePage(views);
  }

  @Get(':id')
  @Roles('admin')
  async get(@CurrentViewer() viewer: Viewer, @Param('id') id: string) {
    return presentIntegration(await this.queries.execute<GetIntegrationQuery, IntegrationView>(new GetIntegrationQuery(viewer.companyId, id)));
  }

  @Patch(':id')
  @Roles('admin')
  async update(@CurrentViewer() viewer: Viewer, @Param('id') id: string, @Body() raw: unknown) {
    const body = parseWith(updateIntegrationBody, raw);
    const command = new UpdateIntegrationCommand(viewer.companyId, id, body);
    return presentIntegration(await this.commands.execute<UpdateIntegrationCommand, IntegrationView>(command));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async remove(@CurrentViewer() viewer: Viewer, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new RemoveIntegrationCommand(viewer.companyId, id));
  }

  @Post(':id/validate')
  @Roles('admin')
  @HttpCode(200)
  async validate(@CurrentViewer() viewer: Viewer, @Param('id') id: string) {
    return presentIntegration(await this.commands.execute<ValidateConnectionCommand, IntegrationView>(new ValidateConnectionCommand(viewer.companyId, id)));
  }

  @Post(':id/webhook/sync')
  @Roles('admin')
  @HttpCode(200)
  async syncWebhook(@CurrentViewer() viewer: Viewer, @Param('id') id: string) {
    return presentIntegration(await this.commands.execute<SyncWebhookCommand, IntegrationView>(new SyncWebhookCommand(viewer.companyId, id)));
  }
}

/** A company has few integrations: all of them in one page of the API's list envelope. */
function onePage(views: readonly IntegrationView[]) {
  return { items: views.map(presentIntegration), nextCursor: null };
}
