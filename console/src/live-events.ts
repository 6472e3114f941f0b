/**
 * The company's server-sent events (`GET /events`). EventSource cannot set headers, so the
 * token goes as `?access_token=` (the one URL the API accepts it in; the service redacts it
 * from its logs). EventSource reconnects by itself with Last-Event-ID after a dropped
 * connection; when the server refuses the stream (non-200) it gives up, so we open a new one
 * after a pause, resuming from the last event id we saw.
 */

export type LiveEventName = 'integration.updated' | 'ticket.created' | 'ticket.updated' | 'message.created' | 'message.updated' | 'notification.created';
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

const EVENT_NAMES: readonly LiveEventName[] = ['integration.updated', 'ticket.created', 'ticket.updated', 'message.created', 'message.updated', 'notification.created'];

type Listener = (data: unknown, name: LiveEventName) => void;

export class LiveEvents {
  private source: EventSource | null = null;
  private lastEventId: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Map<LiveEventName, Set<Listener>>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private current: LiveState = 'connecting';
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly token: string,
    private readonly baseUrl = '',
  ) {}

  get state(): LiveState {
    return this.current;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
    this.setState('closed');
  }

  on(name: LiveEventName, listener: Listener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.current);
    return () => this.stateListeners.delete(listener);
  }

  private open(): void {
    const url = new URL(`${this.baseUrl}/events`, window.location.href);
    url.searchParams.set('access_token', this.token);
    if (this.lastEventId !== null) url.searchParams.set('lastEventId', this.lastEventId);
    const source = new EventSource(url.toString());
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      this.setState('open');
    };
    source.onerror = () => {
      if (this.stopped || source !== this.source) return;
      if (source.readyState === EventSource.CLOSED) {
        // Refused (401, 503…): EventSource will not retry by itself.
        source.close();
        this.failures += 1;
        this.setState(this.failures > 5 ? 'closed' : 'reconnecting');
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.failures, 5));
        this.retryTimer = setTimeout(() => this.open(), delay);
      } else {
        this.setState('reconnecting');
      }
    };
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        const message = event as MessageEvent<string>;
        if (message.lastEventId) this.lastEventId = message.lastEventId;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        for (const listener of [...(this.listeners.get(name) ?? [])]) listener(data, name);
      });
    }
  }

  private setState(state: LiveState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
