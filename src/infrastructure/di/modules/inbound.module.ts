import { CoreModule } from '../core-module';

/** Inbound WhatsApp messages and status callbacks (webhooks), the event log and SSE. */
export const inboundModule: CoreModule = {
  name: 'inbound',
  commands: [],
  queries: [],
  controllers: [],
  bind: () => undefined,
};
