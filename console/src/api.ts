/**
 * The console's client of Zapdesk's public HTTP API (SPEC §3). The token travels only in the
 * Authorization header; the one exception is the event stream (see live-events.ts).
 */

export type TicketStatus = 'open' | 'pending' | 'closed';
export type MessageStatus = 'received' | 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';
export type IntegrationStatus = 'pending' | 'active' | 'inactive' | 'error';

export interface Ticket {
  readonly id: string;
  readonly companyId: string;
  readonly integrationId: string;
  readonly contact: { readonly whatsappNumber: string; readonly profileName: string | null; readonly waId?: string | null; readonly optedOut?: boolean };
  readonly status: TicketStatus;
  readonly unreadCount: number;
  readonly lastMessage: { readonly preview: string; readonly at: string; readonly direction: 'inbound' | 'outbound' } | null;
  readonly lastInboundAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Message {
  readonly id: string;
  readonly ticketId: string;
  readonly integrationId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly body: string;
  readonly media: ReadonlyArray<{ readonly index: number; readonly contentType: string; readonly url: string }>;
  readonly template: { readonly contentSid: string; readonly contentVariables: Readonly<Record<string, string>> } | null;
  readonly twilioSid: string | null;
  readonly status: MessageStatus;
  readonly error: { readonly code: string | number; readonly message: string } | null;
  readonly attempts: number;
  readonly senderUserId?: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** A reply sent as several WhatsApp messages (long text, files): each one, in order. */
  readonly parts?: ReadonlyArray<{ readonly id: string; readonly part: number; readonly status: MessageStatus }>;
}

export interface Integration {
  readonly id: string;
  readonly companyId: string;
  readonly mode?: 'provision' | 'existing';
  readonly accountSid: string;
  readonly whatsappNumber: string;
  readonly status: IntegrationStatus;
  readonly friendlyName?: string | null;
  readonly config: { readonly webhookUrl: string; readonly webhookMethod: string; readonly lastError?: string | null; readonly lastErrorDate?: string | null };
  readonly provisioningStep?: string | null;
  /** What the integration monitor found (absent on older payloads). */
  readonly monitoring?: {
    readonly balance?: { readonly amount: number; readonly currency: string; readonly low: boolean };
    readonly webhookDrift?: { readonly detectedAt: string };
  };
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Only on `integration.updated` events of a removed integration. */
  readonly removed?: boolean;
}

export interface Notification {
  readonly id: string;
  readonly kind: string;
  readonly subjectId: string;
  readonly message: string;
  readonly read: boolean;
  readonly createdAt: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface ErrorDetail {
  readonly field: string;
  readonly issue: string;
}

/** A refusal of the API (`{"error": {code, message, details?}}`) or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type CreateIntegrationBody =
  | { mode: 'existing'; accountSid: string; authToken: string; whatsappNumber: string; friendlyName?: string }
  | { mode: 'provision'; countryCode: string; areaCode?: string; friendlyName?: string };

/** A WhatsApp template of an integration (GET /integrations/:id/templates). */
export interface Template {
  readonly sid: string;
  readonly friendlyName: string;
  readonly language: string;
  readonly variables: ReadonlyArray<{ readonly name: string; readonly sample: string | null }>;
  readonly types: readonly string[];
  readonly body: string | null;
  readonly approval: { readonly status: string; readonly rejectionReason: string | null; readonly category: string | null };
  readonly allowedOutsideWindow: boolean;
}

export type ReplyContent = { body: string } | { contentSid: string; contentVariables?: Record<string, string> };

export interface TicketFilters {
  readonly status?: TicketStatus | '';
  readonly integrationId?: string;
}

/** Lists answer either a bare array or `{items, nextCursor}`; both are accepted. */
function asPage<T>(value: unknown): Page<T> {
  if (Array.isArray(value)) return { items: value as T[], nextCursor: null };
  const page = value as { items?: T[]; data?: T[]; nextCursor?: string | null };
  return { items: page.items ?? page.data ?? [], nextCursor: page.nextCursor ?? null };
}

export class ApiClient {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void = () => undefined,
    private readonly baseUrl = '',
  ) {}

  /** A FormData body goes as multipart/form-data (the browser writes its boundary); anything else as JSON. */
  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    const multipart = body instanceof FormData;
    if (body !== undefined && !multipart) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: multipart ? body : JSON.stringify(body) }) });
    } catch {
      throw new ApiError(0, 'NETWORK', 'network');
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
      if (response.status === 401) this.onUnauthorized();
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.details ?? []);
    }
    return json as T;
  }

  async listTickets(filters: TicketFilters, cursor: string | null, limit = 50): Promise<Page<Ticket>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (filters.status) query.set('status', filters.status);
    if (filters.integrationId) query.set('integrationId', filters.integrationId);
    if (cursor) query.set('cursor', cursor);
    return asPage<Ticket>(await this.request('GET', `/tickets?${query}`));
  }

  getTicket(id: string): Promise<Ticket> {
    return this.request('GET', `/tickets/${encodeURIComponent(id)}`);
  }

  updateTicket(id: string, change: { status?: TicketStatus; read?: true }): Promise<Ticket> {
    return this.request('PATCH', `/tickets/${encodeURIComponent(id)}`, change);
  }

  async listMessages(ticketId: string, cursor: string | null, limit = 200): Promise<Page<Message>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return asPage<Message>(await this.request('GET', `/tickets/${encodeURIComponent(ticketId)}/messages?${query}`));
  }

  reply(ticketId: string, content: ReplyContent): Promise<Message> {
    return this.request('POST', `/tickets/${encodeURIComponent(ticketId)}/messages`, content);
  }

  /** Files (one WhatsApp message each, in order) and a caption on the first: one multipart request. */
  replyWithFiles(ticketId: string, files: ReadonlyArray<{ readonly file: Blob; readonly name: string; readonly type: string }>, caption: string): Promise<Message> {
    const form = new FormData();
    if (caption.trim() !== '') form.append('caption', caption);
    // Re-typed: the API judges the declared type, which some browsers leave empty.
    for (const { file, name, type } of files) form.append('files', file.type === type ? file : new Blob([file], { type }), name);
    return this.request('POST', `/tickets/${encodeURIComponent(ticketId)}/messages`, form);
  }

  retry(messageId: string): Promise<Message> {
    return this.request('POST', `/ticket-messages/${encodeURIComponent(messageId)}/retry`);
  }

  /** A media item through Zapdesk (never Twilio's URL), as a blob for an object URL. */
  async media(path: string): Promise<Blob> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { headers: { Authorization: `Bearer ${this.token}` } });
    } catch {
      throw new ApiError(0, 'NETWORK', 'network');
    }
    if (!response.ok) throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
    return response.blob();
  }

  async listIntegrations(): Promise<Integration[]> {
    return asPage<Integration>(await this.request('GET', '/integrations')).items;
  }

  async listWhatsappIntegrations(): Promise<Integration[]> {
    return asPage<Integration>(await this.request('GET', '/integrations/whatsapp')).items;
  }

  async listTemplates(integrationId: string): Promise<Template[]> {
    return asPage<Template>(await this.request('GET', `/integrations/${encodeURIComponent(integrationId)}/templates`)).items;
  }

  createIntegration(body: CreateIntegrationBody): Promise<Integration> {
    return this.request('POST', '/integrations', body);
  }

  updateIntegration(id: string, change: { status?: 'active' | 'inactive'; friendlyName?: string | null }): Promise<Integration> {
    return this.request('PATCH', `/integrations/${encodeURIComponent(id)}`, change);
  }

  validateIntegration(id: string): Promise<Integration> {
    return this.request('POST', `/integrations/${encodeURIComponent(id)}/validate`);
  }

  syncWebhooks(id: string): Promise<Integration> {
    return this.request('POST', `/integrations/${encodeURIComponent(id)}/webhook/sync`);
  }

  removeIntegration(id: string): Promise<void> {
    return this.request('DELETE', `/integrations/${encodeURIComponent(id)}`);
  }

  async listNotifications(): Promise<Notification[]> {
    return asPage<Notification>(await this.request('GET', '/notifications?limit=50')).items;
  }

  markNotificationRead(id: string): Promise<void> {
    return this.request('POST', `/notifications/${encodeURIComponent(id)}/read`);
  }
}

/** The console's configuration (`GET /console/config.json`); absent fields mean "not available". */
export interface ConsoleConfig {
  readonly simulatorUrl: string | null;
  readonly demo: { readonly adminToken: string; readonly agentToken: string } | null;
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  // A busy or restarting service may not answer the first time: without the config the page
  // would offer no demo sign-in for good, so a failure is asked again a few times.
  for (let attempt = 1; ; attempt += 1) {
    try {
      // (Asserted: Node's RequestInit, which the unit tests compile against, has no `cache`.)
      const response = await fetch('config.json', { headers: { Accept: 'application/json' }, cache: 'no-store' } as RequestInit);
      if (response.ok) return parseConsoleConfig((await response.json()) as Partial<ConsoleConfig>);
      if (response.status < 500) return { simulatorUrl: null, demo: null };
    } catch {
      // Network error: the same as a 5xx.
    }
    if (attempt >= CONFIG_ATTEMPTS) return { simulatorUrl: null, demo: null };
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}

const CONFIG_ATTEMPTS = 6;

function parseConsoleConfig(raw: Partial<ConsoleConfig>): ConsoleConfig {
  const demo = raw.demo && typeof raw.demo.adminToken === 'string' && typeof raw.demo.agentToken === 'string' ? raw.demo : null;
  return { simulatorUrl: typeof raw.simulatorUrl === 'string' && raw.simulatorUrl ? raw.simulatorUrl.replace(/\/+$/, '') : null, demo };
}

export interface SimulatedInbound {
  readonly to?: string;
  readonly from?: string;
  readonly body?: string;
  readonly mediaUrl?: string;
  readonly profileName?: string;
}

export interface SimulatorAnswer {
  readonly messageSid: string;
  readonly to?: string;
  readonly from?: string;
  readonly webhookStatus: number;
}

/** `POST <simulatorUrl>/inbound`: the emulator plays Twilio and posts a signed webhook here. */
export async function simulateInbound(simulatorUrl: string, input: SimulatedInbound): Promise<SimulatorAnswer> {
  let response: Response;
  try {
    response = await fetch(`${simulatorUrl}/inbound`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network');
  }
  const json = (await response.json().catch(() => null)) as (SimulatorAnswer & { error?: { code?: string; message?: string } | string }) | null;
  if (!response.ok || !json) {
    const error = json?.error;
    const message = typeof error === 'string' ? error : (error?.message ?? response.statusText);
    throw new ApiError(response.status, typeof error === 'object' && error?.code ? error.code : `HTTP_${response.status}`, message);
  }
  return json;
}
