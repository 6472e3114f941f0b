import { TwilioApiError, notFoundError, clampInt, type EmulatorResponse } from '../emulator-http';
import { newSid, parseWhatsAppAddress } from '../emulator-ids';
import { route, type EmulatorContext, type Route, type RouteRequest } from '../emulator-router';
import type { SenderRecord } from '../emulator-state';

/** The WhatsApp Senders API: /v2/Channels/Senders[/{Sid}], JSON bodies, `meta` paging. */

const PROFILE_FIELDS = [
  'name', 'about', 'address', 'description', 'logo_url', 'banner_url', 'privacy_url',
  'terms_of_service_url', 'accent_color', 'vertical', 'websites', 'emails', 'phone_numbers',
] as const;
const WEBHOOK_FIELDS = [
  'callback_url', 'callback_method', 'fallback_url', 'fallback_method', 'status_callback_url', 'status_callback_method',
] as const;
const CONFIGURATION_FIELDS = ['waba_id', 'verification_method', 'verification_code', 'voice_application_sid', 'account_type'] as const;

function pick(source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, source[f] ?? null]));
}

export function senderJson(sender: SenderRecord, ctx: EmulatorContext): Record<string, unknown> {
  const status = ctx.state.senderStatus(sender);
  return {
    sid: sender.sid,
    status,
    sender_id: sender.senderId,
    configuration: pick(sender.configuration, CONFIGURATION_FIELDS),
    webhook: pick(sender.webhook, WEBHOOK_FIELDS),
    profile: pick(sender.profile, PROFILE_FIELDS),
    properties:
      status === 'ONLINE' ? { quality_rating: 'HIGH', messaging_limit: '1K Customers/24hr' } : { quality_rating: null, messaging_limit: null },
    offline_reasons:
      status === 'OFFLINE' ? [{ code: '63112', message: 'The sender is offline', more_info: 'https://www.twilio.com/docs/errors/63112' }] : null,
    compliance: null,
    url: `${ctx.baseUrl}/v2/Channels/Senders/${sender.sid}`,
  };
}

function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new TwilioApiError(400, 20001, `Invalid ${name}: must be an object`);
  return value as Record<string, unknown>;
}

function jsonBody(req: RouteRequest): Record<string, unknown> {
  if (typeof req.json !== 'object' || req.json === null || Array.isArray(req.json)) {
    throw new TwilioApiError(400, 20001, 'The request body must be a JSON object');
  }
  return req.json as Record<string, unknown>;
}

function createSender(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const body = jsonBody(req);
  const senderId = body['sender_id'];
  if (typeof senderId !== 'string' || senderId === '') throw new TwilioApiError(400, 20001, 'Missing required parameter sender_id');
  if (parseWhatsAppAddress(senderId) === undefined) {
    throw new TwilioApiError(400, 20001, `Invalid sender_id: ${senderId} (expected whatsapp:+E.164)`);
  }
  const existing = [...ctx.state.senders.values()].find((s) => s.senderId === senderId);
  if (existing !== undefined) {
    // Emulator convention: a sender id is registered once across Twilio.
    throw new TwilioApiError(409, 20409, `A sender with sender_id ${senderId} already exists: ${existing.sid}`);
  }
  const sender: SenderRecord = {
    sid: newSid('XE'),
    accountSid: req.caller.sid,
    senderId,
    createdAt: Date.now(),
    profile: objectField(body, 'profile') ?? {},
    webhook: objectField(body, 'webhook') ?? {},
    configuration: objectField(body, 'configuration') ?? {},
  };
  ctx.state.senders.set(sender.sid, sender);
  return { status: 202, json: { ...senderJson(sender, ctx), status: 'CREATING' } };
}

function ownedSender(req: RouteRequest, ctx: EmulatorContext): SenderRecord {
  const sender = ctx.state.senders.get(req.params['Sid'] ?? '');
  const owner = sender === undefined ? undefined : ctx.state.accounts.get(sender.accountSid);
  const visible = owner !== undefined && (owner.sid === req.caller.sid || owner.ownerSid === req.caller.sid);
  if (sender === undefined || !visible) throw notFoundError(req.path);
  return sender;
}

function fetchSender(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  return { status: 200, json: senderJson(ownedSender(req, ctx), ctx) };
}

function updateSender(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const sender = ownedSender(req, ctx);
  const body = jsonBody(req);
  const profile = objectField(body, 'profile');
  const webhook = objectField(body, 'webhook');
  const configuration = objectField(body, 'configuration');
  if (profile !== undefined) sender.profile = { ...sender.profile, ...profile };
  if (webhook !== undefined) sender.webhook = { ...sender.webhook, ...webhook };
  if (configuration !== undefined) sender.configuration = { ...sender.configuration, ...configuration };
  return { status: 200, json: senderJson(sender, ctx) };
}

function deleteSender(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  ctx.state.senders.delete(ownedSender(req, ctx).sid);
  return { status: 204 };
}

function listSenders(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const channel = req.query.get('Channel');
  if (channel === null) throw new TwilioApiError(400, 20001, 'Missing required parameter Channel');
  const pageSize = clampInt(req.query.get('PageSize'), 20, 1, 1000);
  const page = clampInt(req.query.get('Page'), 0, 0, Number.MAX_SAFE_INTEGER);
  const all = channel !== 'whatsapp' ? [] : [...ctx.state.senders.values()].filter((s) => s.accountSid === req.caller.sid);
  const slice = all.slice(page * pageSize, (page + 1) * pageSize);
  const urlOf = (p: number): string =>
    `${ctx.baseUrl}/v2/Channels/Senders?Channel=${encodeURIComponent(channel)}&PageSize=${pageSize}&Page=${p}`;
  return {
    status: 200,
    json: {
      senders: slice.map((s) => senderJson(s, ctx)),
      meta: {
        page,
        page_size: pageSize,
        first_page_url: urlOf(0),
        previous_page_url: page > 0 ? urlOf(page - 1) : null,
        url: urlOf(page),
        next_page_url: (page + 1) * pageSize < all.length ? urlOf(page + 1) : null,
        key: 'senders',
      },
    },
  };
}

export const senderRoutes: readonly Route[] = [
  route('POST', '/v2/Channels/Senders', 'senders.create', createSender),
  route('GET', '/v2/Channels/Senders', 'senders.list', listSenders),
  route('GET', '/v2/Channels/Senders/:Sid', 'senders.fetch', fetchSender),
  route('POST', '/v2/Channels/Senders/:Sid', 'senders.update', updateSender),
  route('DELETE', '/v2/Channels/Senders/:Sid', 'senders.delete', deleteSender),
];
