/** The in-process (EventEmitter2) event that carries one company's logged events to its SSE streams. */
export function companyEventName(companyId: string): string {
  return `realtime.company.${companyId}`;
}

/** Emitted when the tailer finds entries that vanished before it read them (log rolled over under it). */
export const EVENTS_LOST = 'realtime.events-lost';

// EventEmitter2's own listener type; listeners here take one typed value.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...values: any[]) => void;

/** The part of EventEmitter2 (Nest's in-process event bus) the real-time code uses. */
export interface LiveEventBus {
  emit(event: string, ...values: unknown[]): boolean;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}
