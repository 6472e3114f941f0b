import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import SseChannel from 'sse-channel';
import type { Viewer } from '../../application/ports/notification.port';
import { EventLogReader, LoggedEvent } from '../persistence/mongoose/event-log/event-log.reader';
import { companyEventName, EVENTS_LOST, LiveEventBus } from './live-events';
import { directSocketOf, writeSseEvent } from './sse-event-writer';

export interface SseHubOptions {
  readonly heartbeatMs: number;
  readonly retryMs: number;
  /** Entries read per query while replaying after a Last-Event-ID. */
  readonly replayPageSize?: number;
}

/** Where live delivery stands: the last sequence number this instance's tailer emitted. */
export interface LivePosition {
  readonly position: number | null;
  /** Resolves once the tailer knows where it starts. */
  readonly positioned: Promise<number>;
}

/** How long a stream opened while the tailer is starting waits before it is refused. */
const START_WAIT_MS = 3000;

export type StreamOutcome = 'streaming' | 'unavailable';

interface StreamClient {
  readonly viewer: Viewer;
  readonly res: ServerResponse;
  /** Set once the stream's headers are out: events are written on it directly (see writeSseEvent). */
  socket: Socket | null;
  /** Highest sequence number sent (or known to the client); anything at or below is dropped. */
  lastSent: number;
  /** While the log is replayed, live events wait here (they may overlap the replay). */
  buffer: LoggedEvent[] | null;
}

interface CompanyStreams {
  readonly channel: SseChannel;
  readonly clients: Set<StreamClient>;
  readonly onEvent: (event: LoggedEvent) => void;
}

/** Advice sent as `stream.reset` when the log no longer holds what the client missed. */
const RESET_PAYLOAD = JSON.stringify({ reason: 'history_unavailable', action: 'refetch' });

/**
 * Server-sent event streams, one sse-channel per company (created with its first client,
 * closed with its last). Live events come from the tailer over the in-process bus; a
 * reconnecting client first gets what it missed from the event log (Last-Event-ID), then
 * live events, without gaps or duplicates. sse-channel keeps the connections (opening bytes,
 * heartbeats, removal on close); events are written by `writeSseEvent`, encoded once for all
 * recipients, so sse-channel's history is never used.
 */
export class SseHub {
  private readonly companies = new Map<string, CompanyStreams>();
  private closed = false;

  constructor(
    private readonly bus: LiveEventBus,
    private readonly reader: EventLogReader,
    private readonly live: LivePosition,
    private readonly options: SseHubOptions,
  ) {
    this.bus.on(EVENTS_LOST, this.onEventsLost);
  }

  /** Streams the viewer's company events on `res` until either side closes. */
  async open(viewer: Viewer, lastEventId: number | null, req: IncomingMessage, res: ServerResponse): Promise<StreamOutcome> {
    const position = this.live.position ?? (await this.startPosition());
    if (this.closed || position === null) return 'unavailable';
    const client: StreamClient = { viewer, res, socket: null, lastSent: lastEventId ?? position, buffer: [] };
    const company = this.join(client);
    res.on('close', () => this.leave(client));
    try {
      const firstPage = lastEventId === null ? [] : await this.firstReplayPage(viewer.companyId, lastEventId, position);
      if (res.destroyed) return 'streaming';
      res.setHeader('X-Accel-Buffering', 'no');
      company.channel.addClient(req, res);
      // An id-only block sets the client's Last-Event-ID without an event: a client that
      // reconnects before any event resumes from here instead of losing what came between.
      if (lastEventId === null) res.write(`id: ${position}\n\n`);
      client.socket = directSocketOf(res);
      // Everything after `position` still arrives live (buffered meanwhile): resume there.
      if (firstPage === 'reset') this.reset(client, position);
      else await this.replay(client, firstPage);
      this.goLive(client);
      return 'streaming';
    } catch (error) {
      if (res.headersSent) {
        res.end(); // the client reconnects with the last id it got
        return 'streaming';
      }
      this.leave(client);
      throw error;
    }
  }

  private async startPosition(): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), START_WAIT_MS)));
    try {
      await Promise.race([this.live.positioned, timeout]);
      // The live position, not the start one: events emitted while waiting are already past.
      return this.live.position;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Ends every stream (service shutdown); later requests are refused. Each client is first told
   * when to reconnect (`retry:`): it comes back, through the load balancer, to another instance,
   * with its Last-Event-ID, and misses nothing.
   */
  close(): void {
    this.closed = true;
    this.bus.off(EVENTS_LOST, this.onEventsLost);
    for (const [companyId, company] of this.companies) {
      this.companies.delete(companyId);
      this.bus.off(companyEventName(companyId), company.onEvent);
      for (const client of company.clients) {
        if (!client.res.destroyed && client.res.headersSent) client.res.write(`: this instance is shutting down; reconnect\nretry: ${Math.round(this.options.retryMs)}\n\n`);
      }
      company.channel.close();
    }
  }

  /** Connected streams (all companies); for tests and metrics. */
  get streamCount(): number {
    let count = 0;
    for (const company of this.companies.values()) count += company.clients.size;
    return count;
  }

  /**
   * Entries after `lastEventId`, or 'reset' when the log cannot tell what was missed: the
   * oldest entry still held is past the next one the client needs (capped log rolled over),
   * or the id is beyond anything stored (log recreated). Read before the stream starts, so a
   * database error is still an HTTP error.
   */
  private async firstReplayPage(companyId: string, lastEventId: number, position: number): Promise<LoggedEvent[] | 'reset'> {
    if (lastEventId > position && lastEventId > (await this.reader.newestSeq())) return 'reset';
    const page = await this.reader.readCompanyAfter(companyId, lastEventId, this.pageSize);
    // Checked after the read: rollover only moves the oldest entry up, so if it is still at
    // or below lastEventId + 1 now, nothing the read needed was gone.
    const oldest = await this.reader.oldestSeq();
    if (oldest !== null && oldest > lastEventId + 1) return 'reset';
    return page;
  }

  private async replay(client: StreamClient, firstPage: LoggedEvent[]): Promise<void> {
    let page = firstPage;
    for (;;) {
      for (const event of page) this.sendTo(event, [client]);
      if (page.length < this.pageSize || client.res.destroyed) return;
      page = await this.reader.readCompanyAfter(client.viewer.companyId, page[page.length - 1]!.seq, this.pageSize);
    }
  }

  private goLive(client: StreamClient): void {
    const waiting = client.buffer ?? [];
    client.buffer = null;
    for (const event of waiting) this.sendTo(event, [client]);
  }

  /** Tells the client to refetch its state, and continues after `resumeAt`. */
  private reset(client: StreamClient, resumeAt: number): void {
    client.lastSent = resumeAt;
    const company = this.companies.get(client.viewer.companyId);
    company?.channel.send({ id: String(resumeAt), event: 'stream.reset', data: RESET_PAYLOAD }, [client.res]);
  }

  private readonly onEventsLost = (): void => {
    for (const company of this.companies.values()) {
      for (const client of company.clients) if (!client.buffer) this.reset(client, client.lastSent);
    }
  };

  private join(client: StreamClient): CompanyStreams {
    const companyId = client.viewer.companyId;
    let company = this.companies.get(companyId);
    if (!company) {
      const channel = new SseChannel({ pingInterval: this.options.heartbeatMs, retryTimeout: this.options.retryMs, jsonEncode: false, historySize: 1 });
      const created: CompanyStreams = { channel, clients: new Set(), onEvent: (event) => this.deliverLive(created, event) };
      company = created;
      this.companies.set(companyId, company);
      this.bus.on(companyEventName(companyId), company.onEvent);
    }
    company.clients.add(client);
    return company;
  }

  private leave(client: StreamClient): void {
    const companyId = client.viewer.companyId;
    const company = this.companies.get(companyId);
    if (!company || !company.clients.delete(client)) return;
    company.channel.removeClient(client.res);
    if (company.clients.size > 0) return;
    this.companies.delete(companyId);
    this.bus.off(companyEventName(companyId), company.onEvent);
    company.channel.close();
  }

  private deliverLive(company: CompanyStreams, event: LoggedEvent): void {
    const ready: StreamClient[] = [];
    for (const client of company.clients) {
      if (client.buffer) client.buffer.push(event);
      else ready.push(client);
    }
    this.sendTo(event, ready);
  }

  /** Sends to those of `clients` it is addressed to that have not had it yet. */
  private sendTo(event: LoggedEvent, clients: readonly StreamClient[]): void {
    const recipients = clients.filter((client) => event.seq > client.lastSent && addressedTo(event, client.viewer));
    if (recipients.length === 0) return;
    for (const client of recipients) client.lastSent = event.seq;
    // Not company.channel.send: that writes to each response through Express's slow path (see writeSseEvent).
    writeSseEvent({ id: String(event.seq), event: event.name, data: event.data }, recipients);
  }

  private get pageSize(): number {
    return this.options.replayPageSize ?? 500;
  }
}

function addressedTo(event: LoggedEvent, viewer: Viewer): boolean {
  if (!event.audience) return true;
  return (event.audience.role !== undefined && event.audience.role === viewer.role) || (event.audience.userId !== undefined && event.audience.userId === viewer.userId);
}
