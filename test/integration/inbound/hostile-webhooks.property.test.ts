import fc from 'fast-check';
import twilio from 'twilio';
import { startTestService, type TestService } from '../../support/e2e/test-service';
import { connectExistingNumber, publicUrl, type ConnectedNumber } from '../../support/e2e/whatsapp-fixtures';

/**
 * Hostile requests to Twilio's webhooks over HTTP, against the real service: huge and unicode
 * fields, repeated keys, missing fields, wrong content types, forged signatures. The answer is
 * always a clear 4xx with an error code (or 200 for a genuine, well-formed, correctly signed
 * webhook), never a 5xx; a wrong signature is never accepted and stores nothing.
 */

jest.setTimeout(120_000);

let t: TestService;
let acme: ConnectedNumber;
const PATHS = ['/ticket-messages/webhook', '/ticket-messages/status'] as const;

beforeAll(async () => {
  t = await startTestService();
  acme = await connectExistingNumber(t, 'acme', '+14155550505');
});
afterAll(async () => {
  await t.service.connection.db!.dropDatabase();
  await t.close();
});

const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '0', '-1', '11', 'whatsapp:', 'delivered', 'failed', `SM${'a'.repeat(32)}`),
  fc.integer({ min: 1000, max: 70_000 }).map((n) => 'é'.repeat(n)),
);
const FIELDS = ['MessageSid', 'AccountSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MessageStatus', 'ErrorCode', 'ProfileName'];
/** Params around a plausible webhook of ours: some dropped, some changed, some repeated, some added. */
const hostileForm = fc
  .record({
    base: fc.record({ drop: fc.subarray(FIELDS), change: fc.dictionary(fc.constantFrom(...FIELDS), hostileValue, { maxKeys: 4 }) }),
    repeated: fc.array(fc.tuple(fc.constantFrom(...FIELDS, '__proto__', 'constructor'), hostileValue), { maxLength: 4 }),
    added: fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), hostileValue), { maxLength: 4 }),
  })
  .map(({ base, repeated, added }) => {
    const params = new URLSearchParams();
    const plausible: Record<string, string> = {
      MessageSid: `SM${'b'.repeat(32)}`,
      AccountSid: acme.accountSid,
      From: 'whatsapp:+5511990000001',
      To: `whatsapp:${acme.number}`,
      Body: 'Olá',
      NumMedia: '0',
      MessageStatus: 'delivered',
    };
    for (const [name, value] of Object.entries({ ...plausible, ...base.change })) if (!base.drop.includes(name)) params.append(name, value);
    for (const [name, value] of [...repeated, ...added]) params.append(name, value);
    return params;
  });
const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=utf-16', '');

/** The params the service will see (form parsing: repeated keys become arrays). */
function asSigned(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const all = params.getAll(name);
    out[name] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

async function post(path: string, body: string, type: string, signature: string | null) {
  if (type === '') {
    // Truly without a Content-Type: superagent would add the form type to a string body, and
    // fetch adds none to bytes.
    const response = await fetch(`${t.service.url}${path}`, { method: 'POST', body: Buffer.from(body), headers: signature === null ? {} : { 'X-Twilio-Signature': signature } });
    const text = await response.text();
    return { status: response.status, text, body: parsedOrText(text) };
  }
  let request = t.http.post(path);
  if (type !== '') request = request.set('Content-Type', type);
  if (signature !== null) request = request.set('X-Twilio-Signature', signature);
  return request.send(body);
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function expectClearAnswer(answer: { status: number; body: unknown; text: string }): void {
  expect(answer.status).toBeLessThan(500);
  if (answer.status !== 200) {
    expect([400, 403, 404, 413, 415]).toContain(answer.status);
    expect(answer.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  }
}

describe('Twilio webhooks under hostile input', () => {
  it('correctly signed hostile forms, in any content type: a clear 4xx or 200, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), hostileForm, contentType, async (path, params, type) => {
        const signature = twilio.getExpectedTwilioSignature(acme.authToken, `${publicUrl(t)}${path}`, asSigned(params) as Record<string, string>);
        const answer = await post(path, params.toString(), type, signature);
        expectClearAnswer(answer);
        if (answer.status === 200) expect(type).toBe('application/x-www-form-urlencoded');
      }),
      { numRuns: 60 },
    );
  });

  it('a wrong, forged or missing signature is never accepted and stores nothing', async () => {
    const messages = t.service.connection.db!.collection('messages');
    const before = await messages.countDocuments();
    const forged = fc.oneof(
      fc.constant(null),
      // Any header-safe text (a client cannot send control characters in a header).
      fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
      fc.base64String({ minLength: 28, maxLength: 28 }),
      // Signed with another token, or over another URL.
      fc.constantFrom('other-token', 'wrong-url').map((how) => ({ how })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), hostileForm, forged, async (path, params, forgery) => {
        const signed = asSigned(params) as Record<string, string>;
        const signature =
          forgery === null || typeof forgery === 'string'
            ? forgery
            : forgery.how === 'other-token'
              ? twilio.getExpectedTwilioSignature('f'.repeat(32), `${publicUrl(t)}${path}`, signed)
              : twilio.getExpectedTwilioSignature(acme.authToken, `https://attacker.example${path}`, signed);
        const answer = await post(path, params.toString(), 'application/x-www-form-urlencoded', signature);
        expectClearAnswer(answer);
        expect(answer.status).not.toBe(200);
      }),
      { numRuns: 60 },
    );
    expect(await messages.countDocuments()).toBe(before);
  });
});
