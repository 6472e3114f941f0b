import { CoreModule } from '../core-module';

/** Outbound replies: send, the durable delivery outbox and its workers, retry. */
export const deliveryModule: CoreModule = {
  name: 'delivery',
  commands: [],
  queries: [],
  controllers: [],
  bind: () => undefined,
};
