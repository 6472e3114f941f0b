import { TestService, eventually, startTestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber, postSigned } from '../support/e2e/whatsapp-fixtures';

/** Fast delivery settings for e2e runs: short polls, short backoff, a short lease. */
export const FAST_DELIVERY_ENV: NodeJS.ProcessEnv = {
  DELIVERY_POLL_INTERVAL_MS: '50',
  DELIVERY_BACKOFF_BASE_MS: '100',
  DELIVERY_BACKOFF_MAX_MS: '2000',
  DELIVERY_LEASE_MS: '8000',
  DELIVERY_SEND_DEADLINE_MARGIN_MS: '3000',
  DELIVERY_PARK_MS: '500',
  DELIVERY_UNCONFIRMED_SETTLE_MS: '1500',
};

export function startOutboundService(options: Parameters<typeof startTestService>[0] = {}): Promise<TestService> {
  return startTestService({ ...options, env: { ...FAST_DELIVERY_ENV, ...options.env } });
}

export interface OpenTicket {
  readonly ticketId: string;
  readonly contact: string;
  readonly number: ConnectedNumber;
}

/** A customer writes to the number (signed inbound webhook): their ticket opens, inside the 24 h window. */
export async function customerWrites(t: TestService, number: ConnectedNumber, contact: string, body = 'Olá'): Promise<OpenTicket> {
  const params = t.emulator.buildInboundParams({ to: number.number, from: contact, accountSid: number.accountSid, body });
  const answer = await postSigned(t, '/ticket-messages/webhook', params, { authToken: number.authToken });
  if (answer.status !== 200) throw new Error(`inbound webhook answered ${answer.status}: ${answer.text}`);
  // The webhook may answer once the message is durably accepted, before it is filed on its
  // ticket: wait until the message is stored and counted on the ticket (lastInboundAt).
  const db = t.service.connection.db!;
  const ticket = await eventually(
    async () => {
      const message = await db.collection('messages').findOne({ integrationId: number.integrationId, twilioSid: params.MessageSid });
      if (!message) return undefined;
      const filed = await db.collection('tickets').findOne({ _id: message.ticketId, status: { $ne: 'closed' } });
      return filed && filed.lastInboundAt && (filed.lastInboundAt as Date).getTime() >= (message.createdAt as Date).getTime() ? filed : undefined;
    },
    15_000,
    25,
  ).catch(() => null);
  if (!ticket) throw new Error('no ticket was opened');
  return { ticketId: String(ticket._id), contact, number };
}

export function reply(t: TestService, ticket: OpenTicket, content: Record<string, unknown>, userId = 'agent-ana') {
  return t.http
    .post(`/tickets/${ticket.ticketId}/messages`)
    .set('Authorization', `Bearer ${t.token(ticket.number.companyId, 'agent', userId)}`)
    .send(content);
}

export function storedMessage(t: TestService, id: string) {
  return t.service.connection.db!.collection('messages').findOne({ _id: id as never });
}

/** Waits until the stored message satisfies `check`. */
export function messageBecomes(t: TestService, id: string, check: (doc: Record<string, unknown>) => boolean, timeoutMs = 15_000) {
  return eventually(async () => {
    const doc = await storedMessage(t, id);
    return doc && check(doc) ? doc : undefined;
  }, timeoutMs);
}

/** Emulator sends to `contact`, in arrival order. */
export function sendsTo(t: TestService, contact: string) {
  return t.emulator.state.sentMessages.filter((m) => m.to === `whatsapp:${contact}`);
}

export { connectExistingNumber, eventually };
export type { ConnectedNumber, TestService };
