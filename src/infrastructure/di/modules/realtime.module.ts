import { CoreModule } from '../core-module';

/** Real-time: the durable per-company event log, its tailer in every instance, and `GET /events` (SSE). */
export const realtimeModule: CoreModule = {
  name: 'realtime',
  commands: [],
  queries: [],
  controllers: [],
  bind: () => undefined,
};
