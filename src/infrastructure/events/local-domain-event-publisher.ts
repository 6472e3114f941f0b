import { DomainEventPublisher } from '../../application/ports/domain-event-publisher.port';
import { DomainEvent } from '../../domain/shared/domain-event';

export type DomainEventListener = (events: readonly DomainEvent[]) => Promise<void> | void;

/**
 * Hands saved aggregates' events to in-process listeners (the Nest EventBus bridge), after
 * RealtimeDomainEventPublisher made them durable in the event log. A failing listener is
 * reported, never thrown back at the command that already committed its state.
 */
export class LocalDomainEventPublisher implements DomainEventPublisher {
  private readonly listeners: DomainEventListener[] = [];

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  subscribe(listener: DomainEventListener): void {
    this.listeners.push(listener);
  }

  async publishAll(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        await listener(events);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
