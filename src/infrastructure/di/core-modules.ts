import { CoreModule } from './core-module';
import { attachmentsModule } from './modules/attachments.module';
import { deliveryModule } from './modules/delivery.module';
import { inboundModule } from './modules/inbound.module';
import { operationsModule } from './modules/operations.module';
import { realtimeModule } from './modules/realtime.module';
import { templatesModule } from './modules/templates.module';
import { ticketsModule } from './modules/tickets.module';

/** Every capability's wiring, in the order their bindings are made. */
export const CORE_MODULES: readonly CoreModule[] = [realtimeModule, inboundModule, ticketsModule, deliveryModule, templatesModule, operationsModule, attachmentsModule];
