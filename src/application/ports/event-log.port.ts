import type { RealtimeEvent } from '../realtime/realtime-event';

/**
 * The durable per-company event log that every service instance tails for its SSE clients.
 * `append` resolves once the events are stored, in order, with increasing sequence numbers.
 */
export interface EventLog {
  append(events: readonly RealtimeEvent[]): Promise<void>;
}
