/**
 * Twilio emulator: a local HTTP server (node:http) that answers the slice of Twilio's REST API
 * Zapdesk uses, under Twilio's own paths and JSON shapes, so the real `twilio` SDK can be pointed
 * at it (TWILIO_API_URL). 2010 API: Accounts, Balance, AvailablePhoneNumbers/Local,
 * IncomingPhoneNumbers, Messages, Media. v2: WhatsApp Senders (/v2/Channels/Senders). Content v1:
 * templates and their WhatsApp approval (/v1/Content, /v1/ContentAndApprovals).
 * It checks HTTP basic auth like Twilio (the path account's credentials or its master's), keeps
 * everything in memory (`state`), injects faults on demand (`faults`), and plays Twilio's side of
 * webhooks: signed inbound messages and status callbacks (X-Twilio-Signature via the SDK helper).
 * Files: emulator-server (dispatch) · emulator-router · emulator-state · emulator-faults ·
 * emulator-webhooks (signing, connection overrides) · emulator-message-lifecycle · resources/*.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorState, type MessageRecord } from './emulator-state';
import { FaultInjector } from './emulator-faults';
import { EmulatorTimers } from './emulator-timers';
import { MessageLifecycle, statusCallbackParams, type MessageLifecycleOptions } from './emulator-message-lifecycle';
import { requestListener } from './emulator-server';
import type { EmulatorContext, Route } from './emulator-router';
import { newAuthToken, newSid, isE164 } from './emulator-ids';
import { postSignedForm, postWithOverrides, type WebhookDelivery } from './emulator-webhooks';
import { accountRoutes } from './resources/accounts.resource';
import { phoneNumberRoutes } from './resources/phone-numbers.resource';
import { messageRoutes } from './resources/messages.resource';
import { senderRoutes } from './resources/senders.resource';
import { contentRoutes } from './resources/content.resource';
import { persistState, readPersistedMaster, restoreState } from './emulator-persistence';
import { handleSimulatorRequest, isSimulatorRequest } from './simulator/simulator-http';

export interface TwilioEmulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** A new WhatsApp sender reads CREATING until this much time has passed, then ONLINE. Default 100. */
  readonly senderOnlineDelayMs?: number;
  /** Fixed master credentials; default: generated. */
  readonly masterAccount?: { readonly sid: string; readonly token: string };
  /** Master balance in USD; default 20. */
  readonly masterBalance?: number;
  /** Move sends along queued → sent → delivered with status callbacks; default off (messages stay queued). */
  readonly messageLifecycle?: MessageLifecycleOptions | false;
  /** Require an ONLINE sender of the account for `From` (63007 otherwise); default false. */
  readonly strictSenders?: boolean;
  /** Timeout of the emulator's own webhook POSTs; default 15000 (Twilio's budget). */
  readonly webhookTimeoutMs?: number;
  /**
   * Keep accounts (and their credentials), numbers and senders in this file across runs: read at
   * start (its master account wins over `masterAccount`), rewritten after every change. Mode 0600.
   */
  readonly stateFile?: string;
  /**
   * A send whose body contains this marker is accepted, then fails with 30008 (undelivered) the
   * first time that body is sent to that recipient; sending it again (a retry) succeeds. Default: none.
   */
  readonly failMarker?: string;
  /** Where an emulator bug (answered 500) is reported; stderr by default. */
  readonly reportError?: (error: unknown) => void;
  /** The simulator (`/_simulator/...`): the number written to when a request names none, and CORS. */
  readonly simulator?: {
    readonly defaultTo?: () => string | undefined;
    /** Browser origins allowed to call it; default: loopback origins. */
    readonly allowOrigin?: (origin: string) => boolean;
  };
}

export interface InboundMessageInput {
  /** The Twilio number written to (E.164, `whatsapp:` optional). */
  readonly to: string;
  /** The customer (E.164, `whatsapp:` optional). */
  readonly from: string;
  readonly body?: string;
  readonly profileName?: string;
  /** Default: the account owning `to`, else the master. */
  readonly accountSid?: string;
  readonly media?: ReadonlyArray<{ readonly contentType: string; readonly bytes?: Buffer }>;
}

export interface WebhookSendOptions {
  /** Signing token; default: the auth token of the params' AccountSid. */
  readonly authToken?: string;
  /** Send this X-Twilio-Signature instead of the right one. */
  readonly signatureOverride?: string;
  readonly timeoutMs?: number;
}

export interface InboundDeliveryResult {
  readonly params: Readonly<Record<string, string>>;
  /** Every POST made: retries of SmsUrl per its `#rc=` fragment, then SmsFallbackUrl if all failed. */
  readonly attempts: readonly WebhookDelivery[];
}

export interface TwilioEmulator {
  readonly url: string;
  readonly masterAccount: { readonly accountSid: string; readonly authToken: string };
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  /** Realistic inbound WhatsApp params; records the message (and media, served by the emulator). */
  buildInboundParams(input: InboundMessageInput): Record<string, string>;
  /** POSTs signed, form-encoded params to `targetUrl` (a `#fragment` is stripped, as Twilio does). */
  sendInboundMessage(targetUrl: string, params: Readonly<Record<string, string>>, options?: WebhookSendOptions): Promise<WebhookDelivery>;
  sendStatusCallback(targetUrl: string, params: Readonly<Record<string, string>>, options?: WebhookSendOptions): Promise<WebhookDelivery>;
  /** Twilio's status-callback params for a message in its current state. */
  buildStatusCallbackParams(messageSid: string): Record<string, string>;
  /** Inbound message to a number's configured SmsUrl, honouring `#rc=..&rp=..` retries and SmsFallbackUrl. */
  deliverInbound(input: InboundMessageInput): Promise<InboundDeliveryResult>;
  /** Sets a message's status (and ErrorCode) and POSTs its status callback, if it has one. */
  advanceMessage(messageSid: string, status: string, errorCode?: number): Promise<WebhookDelivery | undefined>;
  /** Writes the state file now (a no-op without `stateFile`); changes through the REST API are saved already. */
  persist(): void;
  close(): Promise<void>;
}

const ROUTES: readonly Route[] = [...accountRoutes, ...phoneNumberRoutes, ...messageRoutes, ...senderRoutes, ...contentRoutes];

export async function startTwilioEmulator(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
  const stateFile = options.stateFile;
  const master = (stateFile === undefined ? null : readPersistedMaster(stateFile)) ?? options.masterAccount ?? { sid: newSid('AC'), token: newAuthToken() };
  const state = new EmulatorState({
    senderOnlineDelayMs: options.senderOnlineDelayMs ?? 100,
    master,
    ...(options.masterBalance === undefined ? {} : { masterBalance: options.masterBalance }),
  });
  const persist = stateFile === undefined ? () => undefined : () => persistState(state, stateFile);
  if (stateFile !== undefined) {
    restoreState(state, stateFile);
    persist();
  }
  const faults = new FaultInjector();
  const timers = new EmulatorTimers();
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 15_000;
  const lifecycle = new MessageLifecycle(state, timers, options.messageLifecycle ?? false, webhookTimeoutMs);
  // The context needs the URL, known only once the server listens.
  const holder: { context?: EmulatorContext; deliverInbound?: TwilioEmulator['deliverInbound'] } = {};
  const rest = requestListener({
    routes: ROUTES,
    state,
    faults,
    timers,
    context: () => {
      if (holder.context === undefined) throw new Error('emulator not listening yet');
      return holder.context;
    },
    onChange: persist,
    ...(options.reportError ? { reportError: options.reportError } : {}),
  });
  const server = createServer((req, res) => {
    if (!isSimulatorRequest(req.url)) return rest(req, res);
    void handleSimulatorRequest(req, res, {
      state,
      deliver: (input) => holder.deliverInbound!(input),
      persist,
      ...(options.simulator?.defaultTo ? { defaultTo: options.simulator.defaultTo } : {}),
      ...(options.simulator?.allowOrigin ? { allowOrigin: options.simulator.allowOrigin } : {}),
    });
  });
  // Longer than typical client keep-alive idle times, so pooled sockets are not cut mid-reuse.
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  holder.context = { state, baseUrl: url, lifecycle, strictSenders: options.strictSenders ?? false, failMarker: options.failMarker ?? null };

  const tokenFor = (params: Readonly<Record<string, string>>, override?: string): string => {
    if (override !== undefined) return override;
    const account = state.accounts.get(params['AccountSid'] ?? '');
    if (account === undefined) throw new Error(`unknown AccountSid ${params['AccountSid']}: pass options.authToken`);
    return account.authToken;
  };
  const send = async (kind: 'inbound' | 'status', targetUrl: string, params: Readonly<Record<string, string>>, opts: WebhookSendOptions = {}): Promise<WebhookDelivery> => {
    const delivery = await postSignedForm(targetUrl, params, {
      authToken: tokenFor(params, opts.authToken),
      timeoutMs: opts.timeoutMs ?? webhookTimeoutMs,
      ...(opts.signatureOverride === undefined ? {} : { signatureOverride: opts.signatureOverride }),
    });
    logWebhook(state, kind, delivery, params);
    return delivery;
  };
  const buildInboundParams = (input: InboundMessageInput): Record<string, string> => inboundParams(state, url, input);

  const deliverInbound: TwilioEmulator['deliverInbound'] = async (input) => {
    const to = input.to.replace(/^whatsapp:/, '');
    const number = state.numberByPhone(to);
    if (number === undefined || number.smsUrl === null) throw new Error(`${to} is not an owned number with an SmsUrl`);
    const params = buildInboundParams({ ...input, accountSid: number.accountSid });
    const post = { authToken: tokenFor(params), timeoutMs: webhookTimeoutMs };
    const attempts = [...(await postWithOverrides(number.smsUrl, params, post))];
    const failed = (d: WebhookDelivery | undefined): boolean => d === undefined || d.status === undefined || d.status >= 400;
    if (failed(attempts[attempts.length - 1]) && number.smsFallbackUrl !== null) {
      attempts.push(...(await postWithOverrides(number.smsFallbackUrl, params, post)));
    }
    for (const attempt of attempts) logWebhook(state, 'inbound', attempt, params);
    return { params, attempts };
  };
  holder.deliverInbound = deliverInbound;

  return {
    url,
    masterAccount: { accountSid: master.sid, authToken: master.token },
    state,
    faults,
    buildInboundParams,
    sendInboundMessage: (targetUrl, params, opts) => send('inbound', targetUrl, params, opts),
    sendStatusCallback: (targetUrl, params, opts) => send('status', targetUrl, params, opts),
    buildStatusCallbackParams: (messageSid) => {
      const message = state.messages.get(messageSid);
      if (message === undefined) throw new Error(`unknown message ${messageSid}`);
      return statusCallbackParams(message);
    },
    deliverInbound,
    advanceMessage: (messageSid, status, errorCode) => lifecycle.advance(messageSid, status, errorCode),
    persist,
    close: async () => {
      timers.clearAll();
      persist();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function logWebhook(state: EmulatorState, kind: 'inbound' | 'status', delivery: WebhookDelivery, params: Readonly<Record<string, string>>): void {
  state.webhooks.push({
    kind,
    url: delivery.url,
    params,
    status: delivery.status,
    ...(delivery.error === undefined ? {} : { error: delivery.error }),
    at: Date.now(),
  });
}

function messageTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return 'text';
  const family = contentType.split('/')[0];
  return family === 'image' || family === 'audio' || family === 'video' ? family : 'document';
}

/** The params Twilio POSTs for an inbound WhatsApp message. */
function inboundParams(state: EmulatorState, baseUrl: string, input: InboundMessageInput): Record<string, string> {
  const to = input.to.replace(/^whatsapp:/, '');
  const from = input.from.replace(/^whatsapp:/, '');
  if (!isE164(to) || !isE164(from)) throw new Error(`to/from must be E.164: ${input.to}, ${input.from}`);
  const accountSid = input.accountSid ?? state.numberByPhone(to)?.accountSid ?? state.masterSid;
  const media = input.media ?? [];
  const sid = newSid(media.length > 0 ? 'MM' : 'SM');
  const now = new Date();
  const body = input.body ?? '';
  const message: MessageRecord = {
    sid, accountSid, direction: 'inbound', from: `whatsapp:${from}`, to: `whatsapp:${to}`, body,
    contentSid: null, contentVariables: null, statusCallback: null, status: 'received', errorCode: null,
    errorMessage: null, numSegments: 1, numMedia: media.length, price: null, dateCreated: now, dateUpdated: now, dateSent: now,
  };
  state.messages.set(sid, message);
  const params: Record<string, string> = {
    SmsMessageSid: sid,
    NumMedia: String(media.length),
    ProfileName: input.profileName ?? 'Emulated Customer',
    MessageType: messageTypeOf(media[0]?.contentType),
    SmsSid: sid,
    WaId: from.slice(1),
    SmsStatus: 'received',
    Body: body,
    To: `whatsapp:${to}`,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: accountSid,
    From: `whatsapp:${from}`,
    ApiVersion: '2010-04-01',
  };
  media.forEach((item, index) => {
    const mediaSid = newSid('ME');
    state.media.set(mediaSid, {
      sid: mediaSid, accountSid, messageSid: sid, contentType: item.contentType,
      bytes: item.bytes ?? Buffer.from(`emulated media ${index} of ${sid}`), dateCreated: now,
    });
    params[`MediaContentType${index}`] = item.contentType;
    params[`MediaUrl${index}`] = `${baseUrl}/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media/${mediaSid}`;
  });
  return params;
}
