import twilio from 'twilio';
import { buildInboundWebhooks, contactNumber } from '../../../src/bench/inbound-traffic';

const options = {
  count: 7,
  contacts: 3,
  accountSid: `AC${'1'.repeat(32)}`,
  to: '+14155550100',
  authToken: 'a'.repeat(32),
  signedUrl: 'http://127.0.0.1:4000/ticket-messages/webhook',
};

describe('buildInboundWebhooks', () => {
  it('gives every webhook its own MessageSid and spreads them over the contacts round-robin', () => {
    const webhooks = buildInboundWebhooks(options);
    expect(new Set(webhooks.map((w) => w.messageSid)).size).toBe(7);
    expect(webhooks.map((w) => w.from)).toEqual([0, 1, 2, 0, 1, 2, 0].map(contactNumber));
    expect(buildInboundWebhooks({ ...options, count: 2, contactOffset: 50 }).map((w) => w.from)).toEqual([contactNumber(50), contactNumber(51)]);
  });

  it("carries Twilio's inbound field set, with a signature Twilio's own validator accepts", () => {
    for (const webhook of buildInboundWebhooks(options)) {
      const params = Object.fromEntries(new URLSearchParams(webhook.body));
      expect(params).toMatchObject({
        MessageSid: webhook.messageSid,
        SmsMessageSid: webhook.messageSid,
        AccountSid: options.accountSid,
        To: 'whatsapp:+14155550100',
        From: `whatsapp:${webhook.from}`,
        WaId: webhook.from.slice(1),
        NumMedia: '0',
        ApiVersion: '2010-04-01',
      });
      expect(twilio.validateRequest(options.authToken, webhook.signature, options.signedUrl, params)).toBe(true);
      expect(twilio.validateRequest('b'.repeat(32), webhook.signature, options.signedUrl, params)).toBe(false);
    }
  });
});
