import { EventBus } from '@nestjs/cqrs';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Container } from 'inversify';
import { TOKENS } from '../../../application/ports/tokens';
import { RealtimeDomainEventPublisher } from '../../../application/realtime/realtime-domain-event-publisher';
import { EventStreams } from '../../../interfaces/http/events/event-stream';
import { EventsController } from '../../../interfaces/http/events/events.controller';
import { LocalDomainEventPublisher } from '../../events/local-domain-event-publisher';
import { ensureEventLog, eventLogCollection } from '../../persistence/mongoose/event-log/event-log.collection';
import { EventLogTrimmer } from '../../persistence/mongoose/event-log/event-log-trimmer';
import { EventLogReader } from '../../persistence/mongoose/event-log/event-log.reader';
import { MongooseEventLog } from '../../persistence/mongoose/event-log/mongoose-event-log';
import { MongooseNotificationStore } from '../../persistence/mongoose/notification/mongoose-notification.store';
import { EventLogTailer } from '../../realtime/event-log-tailer';
import { LiveEventBus } from '../../realtime/live-events';
import { RealtimeNotificationStore } from '../../realtime/realtime-notification-store';
import { SseHub } from '../../realtime/sse-hub';
import { PeriodicWorker } from '../../workers/periodic-worker';
import { CoreModule } from '../core-module';
import { CoreDependencies } from '../core-dependencies';

/** The in-process bus (Nest's EventEmitter2), bound once the Nest app exists. */
const LIVE_EVENT_BUS = Symbol('LiveEventBus');
const EVENT_LOG_SETUP = Symbol('EventLogSetup');
const EVENT_LOG_TRIMMING = Symbol('EventLogTrimming');

/** Real-time: the durable per-company event log, its tailer in every instance, and `GET /events` (SSE). */
export const realtimeModule: CoreModule = {
  name: 'realtime',
  commands: [],
  queries: [],
  controllers: [EventsController],
  bind(c: Container, deps: CoreDependencies): void {
    const { realtime } = deps.environment;
    c.bind(EVENT_LOG_SETUP).toConstantValue(() => ensureEventLog(deps.connection));
    const log = eventLogCollection(deps.connection);
    const reader = new EventLogReader(log);
    c.bind(EventLogReader).toConstantValue(reader);
    c.bind(EventLogTrimmer).toConstantValue(
      new EventLogTrimmer(log, reader, { maxEntries: realtime.eventLogMaxEntries, maxAgeMs: realtime.eventLogMaxAgeMs }),
    );
    c.bind(EVENT_LOG_TRIMMING).toConstantValue(
      new PeriodicWorker(() => c.get(EventLogTrimmer).trim(), realtime.eventLogTrimEveryMs, deps.reportError),
    );
    // This instance's tailer reads at once what this instance appended, instead of at its next poll.
    const onStored = (): void => {
      if (c.isBound(LIVE_EVENT_BUS)) c.get(EventLogTailer).wake();
    };
    c.bind(TOKENS.EventLog).toConstantValue(new MongooseEventLog(log, reader, { onStored }));
    // Detached in-process listeners (Nest's EventBus) get the events after the durable append.
    c.bind(LocalDomainEventPublisher).toConstantValue(new LocalDomainEventPublisher(deps.reportError));
    c.bind(RealtimeDomainEventPublisher).toDynamicValue(
      () => new RealtimeDomainEventPublisher(c.get(TOKENS.EventLog), c.get(TOKENS.IntegrationRepository), c.get(LocalDomainEventPublisher), c.get(TOKENS.MessageRepository)),
    );
    c.bind(RealtimeNotificationStore).toDynamicValue(() => new RealtimeNotificationStore(new MongooseNotificationStore(deps.connection), c.get(TOKENS.EventLog)));
    c.bind(EventLogTailer).toDynamicValue(
      () =>
        new EventLogTailer(
          c.get(EventLogReader),
          c.get<LiveEventBus>(LIVE_EVENT_BUS),
          { mode: realtime.tailMode, pollIntervalMs: realtime.tailPollIntervalMs },
          deps.reportError,
          (message) => deps.warn(message),
        ),
    );
    c.bind(SseHub).toDynamicValue(
      () =>
        new SseHub(c.get<LiveEventBus>(LIVE_EVENT_BUS), c.get(EventLogReader), c.get(EventLogTailer), {
          heartbeatMs: realtime.sseHeartbeatMs,
          retryMs: realtime.sseRetryMs,
        }),
    );
  },
  ensureIndexes: (c) => c.get<() => Promise<void>>(EVENT_LOG_SETUP)(),
  // Without a Nest app (CLI tools) there are no streams to feed: no tailer.
  workers: (c) => (c.isBound(LIVE_EVENT_BUS) ? [c.get(EventLogTailer), c.get(EVENT_LOG_TRIMMING)] : [c.get(EVENT_LOG_TRIMMING)]),
};

/**
 * Joins the core to the Nest app once it exists: Nest's EventEmitter2 becomes the bus the
 * tailer emits on and the SSE hub listens to, Nest's EventBus receives every published
 * domain event, and the hub serves `GET /events` (ending every stream when the app closes).
 */
export function connectRealtime(c: Container, emitter: EventEmitter2, eventBus: EventBus): EventStreams & { onModuleDestroy(): void } {
  if (c.isBound(LIVE_EVENT_BUS)) throw new Error('real-time is already connected to a Nest app');
  c.bind<LiveEventBus>(LIVE_EVENT_BUS).toConstantValue(emitter);
  c.get(LocalDomainEventPublisher).subscribe((events) => eventBus.publishAll([...events]));
  const hub = c.get(SseHub);
  return { open: (viewer, lastEventId, req, res) => hub.open(viewer, lastEventId, req, res), onModuleDestroy: () => hub.close() };
}
