/** A past-tense fact about one aggregate of one company. */
export interface DomainEvent {
  /** Stable event name, e.g. `message.received`. */
  readonly name: string;
  readonly companyId: string;
  readonly aggregateId: string;
  readonly occurredAt: Date;
}
