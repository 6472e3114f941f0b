import { CheckHealthHandler, CheckHealthQuery } from '../../application/health/check-health.query';
import { CreateIntegrationCommand } from '../../application/integration/create-integration/create-integration.command';
import { CreateIntegrationHandler } from '../../application/integration/create-integration/create-integration.handler';
import { FindWhatsAppIntegrationHandler, FindWhatsAppIntegrationQuery } from '../../application/integration/find-whatsapp-integration/find-whatsapp-integration.query';
import { GetIntegrationHandler, GetIntegrationQuery } from '../../application/integration/get-integration/get-integration.query';
import { ListIntegrationsHandler, ListIntegrationsQuery } from '../../application/integration/list-integrations/list-integrations.query';
import { RemoveIntegrationCommand } from '../../application/integration/remove-integration/remove-integration.command';
import { RemoveIntegrationHandler } from '../../application/integration/remove-integration/remove-integration.handler';
import { SyncWebhookCommand } from '../../application/integration/sync-webhook/sync-webhook.command';
import { SyncWebhookHandler } from '../../application/integration/sync-webhook/sync-webhook.handler';
import { UpdateIntegrationCommand } from '../../application/integration/update-integration/update-integration.command';
import { UpdateIntegrationHandler } from '../../application/integration/update-integration/update-integration.handler';
import { ValidateConnectionCommand } from '../../application/integration/validate-connection/validate-connection.command';
import { ValidateConnectionHandler } from '../../application/integration/validate-connection/validate-connection.handler';
import {
  ListNotificationsHandler,
  ListNotificationsQuery,
  MarkNotificationReadCommand,
  MarkNotificationReadHandler,
} from '../../application/notification/notification-queries';
import { HandlerBinding } from './core-module';
import { CORE_MODULES } from './core-modules';

export type { HandlerBinding } from './core-module';

/** Every command of the core and its handler: the Nest buses are wired from this list. */
export const COMMAND_HANDLERS: readonly HandlerBinding[] = [
  { message: CreateIntegrationCommand, handler: CreateIntegrationHandler },
  { message: UpdateIntegrationCommand, handler: UpdateIntegrationHandler },
  { message: RemoveIntegrationCommand, handler: RemoveIntegrationHandler },
  { message: ValidateConnectionCommand, handler: ValidateConnectionHandler },
  { message: SyncWebhookCommand, handler: SyncWebhookHandler },
  { message: MarkNotificationReadCommand, handler: MarkNotificationReadHandler },
  ...CORE_MODULES.flatMap((module) => module.commands),
];

/** Every query of the core and its handler. */
export const QUERY_HANDLERS: readonly HandlerBinding[] = [
  { message: CheckHealthQuery, handler: CheckHealthHandler },
  { message: GetIntegrationQuery, handler: GetIntegrationHandler },
  { message: ListIntegrationsQuery, handler: ListIntegrationsHandler },
  { message: FindWhatsAppIntegrationQuery, handler: FindWhatsAppIntegrationHandler },
  { message: ListNotificationsQuery, handler: ListNotificationsHandler },
  ...CORE_MODULES.flatMap((module) => module.queries),
];
