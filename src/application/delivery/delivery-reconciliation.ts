import { OutboundStatus, isFailure } from '../../domain/message/delivery-status';
import { Message } from '../../domain/message/message';
import { MessageRepository } from '../../domain/message/message.repository';
import { TwilioCredentials, TwilioGateway, TwilioGatewayError } from '../ports/twilio-gateway.port';

/** What Twilio knows of an attempt whose answer was never stored. */
export interface FoundSend {
  readonly sid: string;
  readonly status: OutboundStatus;
  readonly errorCode: number | null;
}

/** Twilio's message statuses in ours; `accepted`/`scheduled`/`queued`/`sending` all mean "Twilio has it". */
export function toOutboundStatus(twilioStatus: string): OutboundStatus {
  switch (twilioStatus) {
    case 'delivered':
    case 'read':
    case 'failed':
    case 'undelivered':
      return twilioStatus;
    default:
      return 'sent';
  }
}

/**
 * Looks for the Twilio message of the latest attempt of `message`:
 * - by its stored SID when it has one;
 * - else among the messages from the sender to the contact created since the attempt started
 *   (minus a clock-skew margin): same body (templates: any), not a failure, and whose SID no
 *   other message of ours holds. Per-ticket ordering keeps at most one attempt per
 *   (sender, contact) in flight, so the earliest such candidate is ours.
 * Null when Twilio has no trace of it (it is then safe to send again).
 */
export async function findUnrecordedSend(input: {
  readonly twilio: TwilioGateway;
  readonly messages: MessageRepository;
  readonly account: TwilioCredentials;
  readonly message: Message;
  readonly from: string;
  readonly to: string;
  readonly skewMs: number;
}): Promise<FoundSend | null> {
  const { twilio, account, message } = input;
  if (message.twilioSid) {
    try {
      const known = await twilio.fetchMessage(account, message.twilioSid);
      return { sid: known.sid, status: toOutboundStatus(known.status), errorCode: known.errorCode };
    } catch (error) {
      if (error instanceof TwilioGatewayError && error.kind === 'not_found') return null;
      throw error;
    }
  }
  const startedAt = message.lastAttemptAt ?? message.createdAt;
  const listed = await twilio.listMessages(account, { from: input.from, to: input.to, sentAfter: new Date(startedAt.getTime() - input.skewMs) });
  const candidates = listed
    .filter((m) => !isFailure(toOutboundStatus(m.status)))
    .filter((m) => message.template !== null || m.body === message.body)
    .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0));
  for (const candidate of candidates) {
    const holder = await input.messages.findByTwilioSid(message.integrationId, candidate.sid);
    if (holder && holder.id !== message.id) continue;
    return { sid: candidate.sid, status: toOutboundStatus(candidate.status), errorCode: null };
  }
  return null;
}
