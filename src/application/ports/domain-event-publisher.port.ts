import { DomainEvent } from '../../domain/shared/domain-event';

/**
 * Publishes domain events after the aggregate that recorded them was saved. The
 * implementation makes them durable (the per-company event log) before in-process fan-out.
 */
export interface DomainEventPublisher {
  publishAll(events: readonly DomainEvent[]): Promise<void>;
}
