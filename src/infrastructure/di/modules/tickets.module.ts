import { CoreModule } from '../core-module';

/** The tickets read side (lists, details, messages, media) and ticket status changes. */
export const ticketsModule: CoreModule = {
  name: 'tickets',
  commands: [],
  queries: [],
  controllers: [],
  bind: () => undefined,
};
