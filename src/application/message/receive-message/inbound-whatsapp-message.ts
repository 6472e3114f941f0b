import { InboundExtras, MediaItem } from '../../../domain/message/message';
import { ErrorDetail, DomainError } from '../../../domain/shared/domain-error';
import { normalizeE164 } from '../../../domain/shared/phone-number';
import { WebhookParams } from '../../ports/webhook-signature.port';
import { singleParam } from '../webhooks/twilio-webhook-request';

/** Twilio sends at most 10 media items with one message. */
const MAX_MEDIA = 10;
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

/** What Zapdesk keeps of Twilio's inbound WhatsApp webhook parameters. */
export interface InboundWhatsAppMessage {
  readonly messageSid: string;
  /** The customer, bare E.164. */
  readonly from: string;
  readonly profileName: string | null;
  readonly waId: string | null;
  readonly body: string;
  readonly media: readonly MediaItem[];
  readonly extras: InboundExtras | null;
}

const EXTRA_FIELDS: ReadonlyArray<[keyof InboundExtras, string]> = [
  ['latitude', 'Latitude'],
  ['longitude', 'Longitude'],
  ['address', 'Address'],
  ['label', 'Label'],
  ['buttonText', 'ButtonText'],
  ['buttonPayload', 'ButtonPayload'],
  ['repliedToSid', 'OriginalRepliedMessageSid'],
];

/** Reads and checks the parameters; every problem is reported at once (400 with details). */
export function parseInboundWhatsAppMessage(params: WebhookParams): InboundWhatsAppMessage {
  const problems: ErrorDetail[] = [];
  const text = (name: string): string | undefined => {
    const value = singleParam(params, name);
    if (params[name] !== undefined && value === undefined) problems.push({ field: name, issue: 'must be sent once' });
    return value;
  };

  const messageSid = text('MessageSid') ?? text('SmsMessageSid');
  if (!messageSid || !MESSAGE_SID.test(messageSid)) problems.push({ field: 'MessageSid', issue: 'missing or not a message SID' });

  let from = '';
  try {
    from = normalizeE164(text('From'), 'From');
  } catch {
    problems.push({ field: 'From', issue: 'must be the customer address such as whatsapp:+14155550100' });
  }

  const media: MediaItem[] = [];
  const numMediaText = text('NumMedia') ?? '0';
  const numMedia = /^\d{1,2}$/.test(numMediaText) ? Number(numMediaText) : NaN;
  if (!Number.isInteger(numMedia) || numMedia > MAX_MEDIA) {
    problems.push({ field: 'NumMedia', issue: `must be a whole number from 0 to ${MAX_MEDIA}` });
  } else {
    for (let index = 0; index < numMedia; index += 1) {
      const url = text(`MediaUrl${index}`);
      const contentType = text(`MediaContentType${index}`);
      if (!url || !isHttpUrl(url)) problems.push({ field: `MediaUrl${index}`, issue: 'missing or not an http(s) URL' });
      else if (!contentType || !/^[\w.+-]+\/[\w.+-]+/.test(contentType)) problems.push({ field: `MediaContentType${index}`, issue: 'missing or not a media type' });
      else media.push({ url, contentType });
    }
  }

  const extras: Record<string, string> = {};
  for (const [key, name] of EXTRA_FIELDS) {
    const value = text(name);
    if (value !== undefined && value !== '') extras[key] = value;
  }
  const body = text('Body') ?? '';
  const profileName = text('ProfileName');
  const waId = text('WaId');

  if (problems.length > 0) {
    throw new DomainError('WEBHOOK.MALFORMED', 'invalid', `the webhook parameters are malformed: ${problems.map((p) => p.field).join(', ')}`, problems);
  }
  return {
    messageSid: messageSid!,
    from,
    profileName: profileName ? profileName : null,
    waId: waId ? waId : null,
    body,
    media,
    extras: Object.keys(extras).length > 0 ? (extras as InboundExtras) : null,
  };
}

/** The ticket list's one-line summary of a message that may have no text. */
export function previewOf(message: InboundWhatsAppMessage): string {
  if (message.body.trim() !== '') return message.body;
  if (message.media.length > 0) return message.media.length === 1 ? `[${message.media[0]!.contentType}]` : `[${message.media.length} attachments]`;
  if (message.extras?.latitude) return `[location${message.extras.label ? `: ${message.extras.label}` : ''}]`;
  if (message.extras?.buttonText) return message.extras.buttonText;
  return '[empty message]';
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
