import { MessageStatus } from '../../../domain/message/delivery-status';
import { DomainError, ErrorDetail } from '../../../domain/shared/domain-error';
import { WebhookParams } from '../../ports/webhook-signature.port';
import { singleParam } from '../webhooks/twilio-webhook-request';

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

/** Twilio statuses that report delivery progress we track; the rest are acknowledged only. */
const TRACKED: Readonly<Record<string, Extract<MessageStatus, 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered'>>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'undelivered',
};

export interface TwilioStatusCallback {
  readonly messageSid: string;
  /** The status in our terms, or null for Twilio statuses we do not track (queued, accepted, sending...). */
  readonly status: 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered' | null;
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
}

export function parseStatusCallback(params: WebhookParams): TwilioStatusCallback {
  const problems: ErrorDetail[] = [];
  const messageSid = singleParam(params, 'MessageSid') ?? singleParam(params, 'SmsSid');
  if (!messageSid || !MESSAGE_SID.test(messageSid)) problems.push({ field: 'MessageSid', issue: 'missing or not a message SID' });
  const rawStatus = (singleParam(params, 'MessageStatus') ?? singleParam(params, 'SmsStatus') ?? '').trim().toLowerCase();
  if (!/^[a-z_]{2,32}$/.test(rawStatus)) problems.push({ field: 'MessageStatus', issue: 'missing or not a status' });
  const rawCode = (singleParam(params, 'ErrorCode') ?? '').trim();
  const errorCode = rawCode === '' ? null : /^\d{1,6}$/.test(rawCode) ? Number(rawCode) : NaN;
  if (Number.isNaN(errorCode)) problems.push({ field: 'ErrorCode', issue: 'must be a Twilio error number' });
  if (problems.length > 0) {
    throw new DomainError('WEBHOOK.MALFORMED', 'invalid', `the status callback is malformed: ${problems.map((p) => p.field).join(', ')}`, problems);
  }
  const errorMessage = singleParam(params, 'ErrorMessage')?.trim();
  return { messageSid: messageSid!, status: TRACKED[rawStatus] ?? null, errorCode, errorMessage: errorMessage ? errorMessage : null };
}
