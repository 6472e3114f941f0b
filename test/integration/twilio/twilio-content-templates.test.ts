import { TwilioGatewayError } from '../../../src/application/ports/twilio-gateway.port';
import { startTwilioEmulator, seedDemoTemplates, type TwilioEmulator } from '../../../src/emulator';
import { TwilioContentTemplates } from '../../../src/infrastructure/twilio/twilio-content-templates';

/** The Content templates adapter (the official SDK's content.v1 client) against the Twilio emulator. */

let emulator: TwilioEmulator;
let source: TwilioContentTemplates;

beforeAll(async () => {
  emulator = await startTwilioEmulator();
  source = new TwilioContentTemplates({ apiUrl: emulator.url, timeoutMs: 2000 });
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

function newAccount() {
  const account = emulator.state.createAccount('content test', null);
  return { account, credentials: { accountSid: account.sid, authToken: account.authToken } };
}

describe('TwilioContentTemplates', () => {
  it("reads every template of the account with variables, types and WhatsApp approval, across pages, and only that account's", async () => {
    const { account, credentials } = newAccount();
    const seeded = seedDemoTemplates(emulator.state, account.sid);
    for (let i = 0; i < 600; i += 1) emulator.state.addContent(account.sid, { friendlyName: `bulk_${i}`, types: { 'twilio/text': { body: `bulk ${i}` } } });
    const other = newAccount();
    emulator.state.addContent(other.account.sid, { friendlyName: 'someone_else', types: { 'twilio/text': { body: 'not yours' } } });

    const templates = await source.listTemplates(credentials);
    expect(templates).toHaveLength(seeded.length + 600);
    // Two pages of 500: the SDK followed next_page_url.
    expect(emulator.state.requests.filter((r) => r.endpoint === 'content-and-approvals.list' && r.accountSid === account.sid)).toHaveLength(2);
    const byName = Object.fromEntries(templates.map((t) => [t.friendlyName, t]));
    expect(byName['order_shipped']).toEqual({
      sid: seeded[0],
      friendlyName: 'order_shipped',
      language: 'en',
      variables: { '1': 'Ana', '2': '#1042' },
      types: { 'twilio/text': { body: 'Hi {{1}}, your order {{2}} has shipped. Reply here if you need anything.' } },
      whatsappApproval: { status: 'approved', rejectionReason: null, category: 'UTILITY' },
    });
    expect(byName['spring_sale']!.whatsappApproval).toEqual({ status: 'pending', rejectionReason: null, category: 'MARKETING' });
    expect(byName['feedback_card']!.whatsappApproval).toMatchObject({ status: 'rejected', rejectionReason: expect.stringContaining('INVALID_FORMAT') });
    expect(templates.some((t) => t.friendlyName === 'someone_else')).toBe(false);
  });

  it('seeds the demo templates with the same SIDs every time (idempotent)', () => {
    const { account } = newAccount();
    const first = seedDemoTemplates(emulator.state, account.sid);
    expect(seedDemoTemplates(emulator.state, account.sid)).toEqual(first);
    expect([...emulator.state.contents.values()].filter((c) => c.accountSid === account.sid)).toHaveLength(first.length);
  });

  it('classifies failures like every Twilio call, with no secret in the message', async () => {
    const { credentials } = newAccount();
    const wrong = await source.listTemplates({ ...credentials, authToken: 'f'.repeat(32) }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(TwilioGatewayError);
    expect(wrong).toMatchObject({ kind: 'auth', httpStatus: 401 });
    emulator.faults.inject({ endpoint: 'content-and-approvals.list', accountSid: credentials.accountSid, status: 429, retryAfterSeconds: 2 });
    const busy = await source.listTemplates(credentials).catch((e: unknown) => e);
    expect(busy).toMatchObject({ kind: 'transient', httpStatus: 429 });
    expect(String((busy as Error).message)).not.toContain(credentials.authToken);
  });
});
