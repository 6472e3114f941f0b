import { InboundFilingProcess } from '../../../src/application/message/inbound-inbox/inbound-filing.process';
import twilio from 'twilio';
import type { AccountRecord } from '../../../src/emulator/emulator-state';
import { TestService } from './test-service';

export interface ConnectedNumber {
  readonly integrationId: string;
  /** The emulator's account record (tests may rotate its token or inject faults by its SID). */
  readonly account: AccountRecord;
  readonly companyId: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly number: string;
}

/** An `existing`-mode integration of `companyId` for an emulator account owning `number`. */
export async function connectExistingNumber(t: TestService, companyId: string, number: string): Promise<ConnectedNumber> {
  const account = t.emulator.state.createAccount(`customer ${number}`, null);
  t.emulator.state.ownNumber(account.sid, number);
  const created = await t.http
    .post('/integrations')
    .set('Authorization', `Bearer ${t.token(companyId, 'admin')}`)
    .send({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: number });
  if (created.status !== 201 || created.body.status !== 'active') throw new Error(`integration not created: ${created.status} ${JSON.stringify(created.body)}`);
  return { integrationId: created.body.id, account, companyId, accountSid: account.sid, authToken: account.authToken, number };
}

/** The public base URL the service signs against (API_URL, by default http://localhost:<port>). */
export function publicUrl(t: TestService): string {
  return t.service.url.replace('127.0.0.1', 'localhost');
}

/**
 * POSTs Twilio-style form params to `pathAndQuery`, signed with the `twilio` package's own
 * helper for `signedUrl` (default: the service's public URL of that path).
 */
export function postSigned(
  t: TestService,
  pathAndQuery: string,
  params: Readonly<Record<string, string>>,
  options: { authToken: string; signedUrl?: string; signature?: string },
) {
  const signedUrl = options.signedUrl ?? `${publicUrl(t)}${pathAndQuery}`;
  const signature = options.signature ?? twilio.getExpectedTwilioSignature(options.authToken, signedUrl, { ...params });
  return t.http.post(pathAndQuery).type('form').set('X-Twilio-Signature', signature).send(new URLSearchParams(params).toString());
}

/** Waits until the instance filed every message it accepted (webhooks answer before filing). */
export async function filed(t: TestService): Promise<void> {
  await t.service.container.get(InboundFilingProcess).idle();
}
