import { TwilioApiError, clampInt, notFoundError, type EmulatorResponse } from '../emulator-http';
import { iso8601 } from '../emulator-ids';
import { route, type EmulatorContext, type Route, type RouteRequest } from '../emulator-router';
import type { ContentRecord } from '../emulator-state';

/**
 * The Content API (content.twilio.com/v1): templates and their WhatsApp approval, JSON bodies,
 * `meta` paging, shapes of twilio_content_v1.json. The account is the caller's (credentials).
 */

function contentUrl(ctx: EmulatorContext, sid: string): string {
  return `${ctx.baseUrl}/v1/Content/${sid}`;
}

/** The fields Content and ContentAndApprovals share. */
function contentFields(content: ContentRecord): Record<string, unknown> {
  return {
    date_created: iso8601(content.dateCreated),
    date_updated: iso8601(content.dateUpdated),
    sid: content.sid,
    account_sid: content.accountSid,
    friendly_name: content.friendlyName,
    language: content.language,
    variables: content.variables,
    types: content.types,
  };
}

function contentJson(content: ContentRecord, ctx: EmulatorContext): Record<string, unknown> {
  return {
    ...contentFields(content),
    url: contentUrl(ctx, content.sid),
    links: {
      approval_create: `${contentUrl(ctx, content.sid)}/ApprovalRequests/whatsapp`,
      approval_fetch: `${contentUrl(ctx, content.sid)}/ApprovalRequests`,
    },
  };
}

/** The approval object as ContentAndApprovals and ApprovalRequests show it. */
function approvalJson(content: ContentRecord): Record<string, unknown> {
  const approval = content.whatsappApproval;
  const submitted = approval.status !== 'unsubmitted';
  return {
    name: approval.name,
    category: approval.category,
    content_type: submitted ? (Object.keys(content.types)[0] ?? '') : '',
    status: approval.status,
    rejection_reason: approval.rejectionReason,
    allow_category_change: true,
  };
}

function contentAndApprovalsJson(content: ContentRecord): Record<string, unknown> {
  return {
    ...contentFields(content),
    approval_requests: approvalJson(content),
  };
}

function ownedContent(req: RouteRequest, ctx: EmulatorContext, param = 'Sid'): ContentRecord {
  const content = ctx.state.contents.get(req.params[param] ?? '');
  if (content === undefined || content.accountSid !== req.caller.sid) throw notFoundError(req.path);
  return content;
}

/** `{contents: [...], meta}`: Twilio's v1 paging (PageSize default 50, at most 1000). */
function listPage(req: RouteRequest, ctx: EmulatorContext, path: string, toJson: (c: ContentRecord) => Record<string, unknown>): EmulatorResponse {
  const pageSize = clampInt(req.query.get('PageSize'), 50, 1, 1000);
  const page = clampInt(req.query.get('Page'), 0, 0, Number.MAX_SAFE_INTEGER);
  const all = [...ctx.state.contents.values()]
    .filter((c) => c.accountSid === req.caller.sid)
    .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime() || a.sid.localeCompare(b.sid));
  const slice = all.slice(page * pageSize, (page + 1) * pageSize);
  const urlOf = (p: number): string => `${ctx.baseUrl}${path}?PageSize=${pageSize}&Page=${p}`;
  return {
    status: 200,
    json: {
      contents: slice.map(toJson),
      meta: {
        page,
        page_size: pageSize,
        first_page_url: urlOf(0),
        previous_page_url: page > 0 ? urlOf(page - 1) : null,
        url: urlOf(page),
        next_page_url: (page + 1) * pageSize < all.length ? urlOf(page + 1) : null,
        key: 'contents',
      },
    },
  };
}

function jsonBody(req: RouteRequest): Record<string, unknown> {
  if (typeof req.json !== 'object' || req.json === null || Array.isArray(req.json)) {
    throw new TwilioApiError(400, 20001, 'The request body must be a JSON object');
  }
  return req.json as Record<string, unknown>;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new TwilioApiError(400, 20001, `Invalid ${field}: must be an object of strings`);
  }
  return value as Record<string, string>;
}

function createContent(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const body = jsonBody(req);
  const language = body['language'];
  const types = body['types'];
  if (typeof language !== 'string' || language === '') throw new TwilioApiError(400, 20001, 'Missing required parameter language');
  if (typeof types !== 'object' || types === null || Array.isArray(types) || Object.keys(types).length === 0) {
    throw new TwilioApiError(400, 20001, 'Missing required parameter types');
  }
  const friendlyName = typeof body['friendly_name'] === 'string' ? body['friendly_name'] : '';
  const content = ctx.state.addContent(req.caller.sid, {
    friendlyName,
    language,
    variables: stringMap(body['variables'], 'variables'),
    types: types as Record<string, unknown>,
    approvalStatus: 'unsubmitted',
  });
  return { status: 201, json: contentJson(content, ctx) };
}

function deleteContent(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  ctx.state.contents.delete(ownedContent(req, ctx).sid);
  return { status: 204 };
}

function fetchApproval(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const content = ownedContent(req, ctx);
  return {
    status: 200,
    json: {
      sid: content.sid,
      account_sid: content.accountSid,
      whatsapp: { type: 'whatsapp', ...approvalJson(content) },
      url: `${contentUrl(ctx, content.sid)}/ApprovalRequests`,
    },
  };
}

/** Submits the template to WhatsApp: `received`; a test moves it on (`state.setContentApproval`). */
function createApproval(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const content = ownedContent(req, ctx, 'ContentSid');
  const body = jsonBody(req);
  const name = body['name'];
  const category = body['category'];
  if (typeof name !== 'string' || name === '') throw new TwilioApiError(400, 20001, 'Missing required parameter name');
  if (typeof category !== 'string' || category === '') throw new TwilioApiError(400, 20001, 'Missing required parameter category');
  content.whatsappApproval = { status: 'received', name, category, rejectionReason: '' };
  content.dateUpdated = new Date();
  return {
    status: 201,
    json: { name, category, content_type: Object.keys(content.types)[0] ?? '', status: 'received', rejection_reason: '', allow_category_change: true },
  };
}

export const contentRoutes: readonly Route[] = [
  route('POST', '/v1/Content', 'content.create', createContent),
  route('GET', '/v1/Content', 'content.list', (req, ctx) => listPage(req, ctx, '/v1/Content', (c) => contentJson(c, ctx))),
  route('GET', '/v1/Content/:Sid', 'content.fetch', (req, ctx) => ({ status: 200, json: contentJson(ownedContent(req, ctx), ctx) })),
  route('DELETE', '/v1/Content/:Sid', 'content.delete', deleteContent),
  route('GET', '/v1/Content/:Sid/ApprovalRequests', 'content.approval.fetch', fetchApproval),
  route('POST', '/v1/Content/:ContentSid/ApprovalRequests/whatsapp', 'content.approval.create', createApproval),
  route('GET', '/v1/ContentAndApprovals', 'content-and-approvals.list', (req, ctx) => listPage(req, ctx, '/v1/ContentAndApprovals', contentAndApprovalsJson)),
];
