import { createHash } from 'node:crypto';
import { issueCdnLink } from '../emulator-cdn';
import { TwilioApiError, notFoundError, page2010, type EmulatorResponse } from '../emulator-http';
import { newSid, parseWhatsAppAddress, rfc2822 } from '../emulator-ids';
import { route, type EmulatorContext, type Route, type RouteRequest } from '../emulator-router';
import type { MediaRecord, MessageRecord } from '../emulator-state';

/** Messages.json, Messages/{Sid}.json, and the media of a message (JSON and bytes). */

const WHATSAPP_BODY_LIMIT = 1600;

export function messageJson(m: MessageRecord): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}`;
  return {
    body: m.body,
    num_segments: String(m.numSegments),
    direction: m.direction,
    from: m.from,
    to: m.to,
    date_updated: rfc2822(m.dateUpdated),
    price: m.price,
    error_message: m.errorMessage,
    uri: `${uri}.json`,
    account_sid: m.accountSid,
    num_media: String(m.numMedia),
    status: m.status,
    messaging_service_sid: null,
    sid: m.sid,
    date_sent: m.dateSent === null ? null : rfc2822(m.dateSent),
    date_created: rfc2822(m.dateCreated),
    error_code: m.errorCode,
    price_unit: 'USD',
    api_version: '2010-04-01',
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
  };
}

export function mediaJson(m: MediaRecord): Record<string, unknown> {
  return {
    account_sid: m.accountSid,
    content_type: m.contentType,
    date_created: rfc2822(m.dateCreated),
    date_updated: rfc2822(m.dateCreated),
    parent_sid: m.messageSid,
    sid: m.sid,
    uri: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.messageSid}/Media/${m.sid}.json`,
  };
}

function renderTemplate(contentSid: string, variables: string | null): string {
  const values = variables === null ? [] : Object.values(JSON.parse(variables) as Record<string, unknown>).map(String);
  return values.length === 0 ? `[template ${contentSid}]` : `[template ${contentSid}] ${values.join(' | ')}`;
}

/** WhatsApp's media limit at Twilio; a larger file fails the message like a failed download. */
const WHATSAPP_MEDIA_LIMIT = 16 * 1024 * 1024;
const MEDIA_FETCH_TIMEOUT_MS = 10_000;
/** Twilio's WhatsApp error when a MediaUrl cannot be downloaded (11200 is the generic HTTP retrieval failure). */
const MEDIA_DOWNLOAD_FAILED = 63019;

/**
 * Fetches each MediaUrl as Twilio does when a message is created (no credentials, following
 * redirects), records what came back, and tells whether every fetch worked.
 */
async function fetchMedia(ctx: EmulatorContext, messageSid: string, urls: readonly string[]): Promise<boolean> {
  let allFetched = true;
  for (const url of urls) {
    const hash = createHash('sha256');
    let bytes = 0;
    let status: number | null = null;
    let contentType: string | null = null;
    try {
      const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(MEDIA_FETCH_TIMEOUT_MS) });
      status = response.status;
      contentType = response.headers.get('content-type');
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.length;
          hash.update(chunk);
          if (bytes > WHATSAPP_MEDIA_LIMIT) break;
        }
      }
    } catch {
      status = null;
    }
    ctx.state.fetchedMedia.push({ messageSid, url, status, contentType, bytes, sha256: hash.digest('hex'), at: Date.now() });
    if (status === null || status < 200 || status >= 300 || bytes > WHATSAPP_MEDIA_LIMIT) allFetched = false;
  }
  return allFetched;
}

async function createMessage(req: RouteRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const { form } = req;
  const to = form.get('To');
  const from = form.get('From');
  const body = form.get('Body');
  const contentSid = form.get('ContentSid');
  const contentVariables = form.get('ContentVariables');
  if (to === null || to === '') throw new TwilioApiError(400, 21604, "A 'To' phone number is required.");
  if (from === null || from === '') throw new TwilioApiError(400, 21603, "A 'From' phone number is required.");
  if (parseWhatsAppAddress(to) === undefined) throw new TwilioApiError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
  const fromNumber = parseWhatsAppAddress(from);
  if (fromNumber === undefined) throw new TwilioApiError(400, 21212, `Invalid 'From' Phone Number: ${from}`);
  if (ctx.strictSenders) {
    const online = [...ctx.state.senders.values()].some(
      (s) => s.accountSid === req.account.sid && s.senderId === from && ctx.state.senderStatus(s) === 'ONLINE',
    );
    if (!online) throw new TwilioApiError(400, 63007, 'Twilio could not find a Channel with the specified From address');
  }
  if (contentSid !== null && !/^HX[0-9a-fA-F]{32}$/.test(contentSid)) {
    throw new TwilioApiError(400, 21655, 'The ContentSid is Invalid.');
  }
  if (contentVariables !== null && !isJsonObject(contentVariables)) {
    throw new TwilioApiError(400, 21656, 'The ContentVariables Parameter is invalid.');
  }
  if (contentSid === null && (body === null || body === '') && form.getAll('MediaUrl').length === 0) {
    throw new TwilioApiError(400, 21619, 'A text message body or media urls must be specified.');
  }
  if (body !== null && body.length > WHATSAPP_BODY_LIMIT) {
    throw new TwilioApiError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  const now = new Date(req.receivedAt);
  const numMedia = form.getAll('MediaUrl').length;
  const message: MessageRecord = {
    sid: newSid(numMedia > 0 ? 'MM' : 'SM'),
    accountSid: req.account.sid,
    direction: 'outbound-api',
    from,
    to,
    body: contentSid !== null ? renderTemplate(contentSid, contentVariables) : (body ?? ''),
    contentSid,
    contentVariables,
    statusCallback: form.get('StatusCallback'),
    status: 'queued',
    errorCode: null,
    errorMessage: null,
    numSegments: 1,
    numMedia,
    price: null,
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
  };
  ctx.state.messages.set(message.sid, message);
  ctx.state.sentMessages.push({
    sid: message.sid,
    accountSid: message.accountSid,
    from,
    to,
    body,
    contentSid,
    contentVariables,
    statusCallback: message.statusCallback,
    receivedAt: req.receivedAt,
  });
  const payer = ctx.state.payerOf(message.accountSid);
  if (payer !== undefined) payer.balance -= 0.005;
  const mediaFetched = numMedia === 0 || (await fetchMedia(ctx, message.sid, form.getAll('MediaUrl')));
  ctx.lifecycle.onCreated(message, req.fault?.asyncErrorCode ?? (mediaFetched ? markedFailure(ctx, message) : MEDIA_DOWNLOAD_FAILED));
  return { status: 201, json: messageJson(message) };
}

/** 30008 (unknown error, undelivered) the first time a body with the fail marker goes to a recipient. */
function markedFailure(ctx: EmulatorContext, message: MessageRecord): number | undefined {
  if (ctx.failMarker === null || !message.body.includes(ctx.failMarker)) return undefined;
  const key = `${message.accountSid} ${message.to} ${message.body}`;
  if (ctx.state.failedOnce.has(key)) return undefined;
  ctx.state.failedOnce.add(key);
  return 30008;
}

function isJsonObject(raw: string): boolean {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** `DateSent>` etc. accept `YYYY-MM-DD` or a full ISO date-time. */
function parseDateFilter(raw: string | null, name: string): number | undefined {
  if (raw === null) return undefined;
  const time = Date.parse(raw);
  if (Number.isNaN(time)) throw new TwilioApiError(400, 20001, `Invalid ${name}: ${raw}`);
  return time;
}

function listMessages(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const { query } = req;
  const to = query.get('To');
  const from = query.get('From');
  const on = parseDateFilter(query.get('DateSent'), 'DateSent');
  const before = parseDateFilter(query.get('DateSent<'), 'DateSent<');
  const after = parseDateFilter(query.get('DateSent>'), 'DateSent>');
  const matching = [...ctx.state.messages.values()]
    .filter((m) => {
      if (m.accountSid !== req.account.sid) return false;
      if (to !== null && m.to !== to) return false;
      if (from !== null && m.from !== from) return false;
      // Queued messages have no date_sent yet; the emulator filters them by date_created.
      const sent = (m.dateSent ?? m.dateCreated).getTime();
      if (on !== undefined && new Date(sent).toISOString().slice(0, 10) !== new Date(on).toISOString().slice(0, 10)) return false;
      if (before !== undefined && sent > before) return false;
      if (after !== undefined && sent < after) return false;
      return true;
    })
    .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
  const path = `/2010-04-01/Accounts/${req.account.sid}/Messages.json`;
  return { status: 200, json: page2010('messages', matching.map(messageJson), path, query) };
}

function ownedMessage(req: RouteRequest, ctx: EmulatorContext, param: string): MessageRecord {
  const message = ctx.state.messages.get(req.params[param] ?? '');
  if (message === undefined || message.accountSid !== req.account.sid) throw notFoundError(req.path);
  return message;
}

function fetchMessage(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  return { status: 200, json: messageJson(ownedMessage(req, ctx, 'Sid')) };
}

function ownedMedia(req: RouteRequest, ctx: EmulatorContext): MediaRecord {
  const message = ownedMessage(req, ctx, 'MessageSid');
  const media = ctx.state.media.get(req.params['Sid'] ?? '');
  if (media === undefined || media.messageSid !== message.sid) throw notFoundError(req.path);
  return media;
}

function fetchMediaJson(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  return { status: 200, json: mediaJson(ownedMedia(req, ctx)) };
}

/** Like Twilio: a 307 to a signed CDN URL that serves the bytes without credentials. */
function fetchMediaBytes(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const media = ownedMedia(req, ctx);
  const location = `${ctx.baseUrl}${issueCdnLink(ctx.state, media.sid)}`;
  return { status: 307, json: { message: 'Temporary Redirect', location }, headers: { Location: location } };
}

const A = { accountParam: 'AccountSid' };

export const messageRoutes: readonly Route[] = [
  route('POST', '/2010-04-01/Accounts/:AccountSid/Messages.json', 'messages.create', createMessage, A),
  route('GET', '/2010-04-01/Accounts/:AccountSid/Messages.json', 'messages.list', listMessages, A),
  route('GET', '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json', 'messages.fetch', fetchMessage, A),
  route('GET', '/2010-04-01/Accounts/:AccountSid/Messages/:MessageSid/Media/:Sid.json', 'media.fetch', fetchMediaJson, A),
  route('GET', '/2010-04-01/Accounts/:AccountSid/Messages/:MessageSid/Media/:Sid', 'media.fetch', fetchMediaBytes, A),
];
