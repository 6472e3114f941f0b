import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { ContentTemplate, ContentTemplateSource } from '../../application/ports/content-templates.port';
import type { TwilioCredentials } from '../../application/ports/twilio-gateway.port';
import { LruCache } from './twilio-client.cache';
import { toTwilioGatewayError } from './twilio-error.mapper';
import { TwilioRequestClient } from './twilio-request-client';

export interface TwilioContentTemplatesOptions {
  /** TWILIO_API_URL: content.twilio.com calls go there too, keeping Twilio's paths; undefined = real Twilio. */
  readonly apiUrl?: string;
  /** Per-request timeout; default 10000. */
  readonly timeoutMs?: number;
}

/** Templates read at most (Twilio's page size is 1000 at most: one or two pages). */
const MAX_TEMPLATES = 2000;

/**
 * The ContentTemplateSource port on the official SDK's Content v1 client: one
 * `GET /v1/ContentAndApprovals` listing (all pages) gives each template with its WhatsApp
 * approval, instead of one ApprovalRequests call per template.
 */
export class TwilioContentTemplates implements ContentTemplateSource {
  private readonly httpClient: TwilioRequestClient;
  private readonly clients = new LruCache<string, twilio.Twilio>(200);

  constructor(options: TwilioContentTemplatesOptions = {}) {
    this.httpClient = new TwilioRequestClient({
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
    });
  }

  async listTemplates(account: TwilioCredentials): Promise<ContentTemplate[]> {
    try {
      const items = await this.client(account).content.v1.contentAndApprovals.list({ pageSize: 500, limit: MAX_TEMPLATES });
      return items.map((item) => ({
        sid: item.sid,
        friendlyName: item.friendlyName ?? '',
        language: item.language ?? '',
        variables: stringValues(item.variables),
        types: asRecord(item.types) ?? {},
        whatsappApproval: whatsappApproval(item.approvalRequests),
      }));
    } catch (error: unknown) {
      throw toTwilioGatewayError(error, 'listContentTemplates', [account.authToken]);
    }
  }

  private client(credentials: TwilioCredentials): twilio.Twilio {
    const key = `${credentials.accountSid}:${createHash('sha256').update(credentials.authToken).digest('base64url')}`;
    return this.clients.getOrCreate(key, () => new twilio.Twilio(credentials.accountSid, credentials.authToken, { httpClient: this.httpClient }));
  }
}

/**
 * `approval_requests` is the WhatsApp approval itself in Twilio's published examples and
 * `{"whatsapp": {...}}` in some answers: both are read. None at all means never submitted.
 */
function whatsappApproval(raw: unknown): ContentTemplate['whatsappApproval'] {
  const outer = asRecord(raw);
  const approval = asRecord(outer?.['whatsapp']) ?? outer;
  const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
  return {
    status: text(approval?.['status'])?.toLowerCase() ?? 'unsubmitted',
    rejectionReason: text(approval?.['rejection_reason']),
    category: text(approval?.['category']),
  };
}

function stringValues(raw: unknown): Record<string, string> {
  const record = asRecord(raw) ?? {};
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
