import { DomainEvent } from './domain-event';

/** Records domain events until the application layer pulls them after saving. */
export abstract class AggregateRoot<E extends DomainEvent = DomainEvent> {
  private pendingEvents: E[] = [];

  protected record(event: E): void {
    this.pendingEvents.push(event);
  }

  pullDomainEvents(): E[] {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    return events;
  }
}
