import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTwilioEmulator, type TwilioEmulator } from '../../../src/emulator';

/**
 * Every resource the emulator answers must fit Twilio's official OpenAPI schema: no property the
 * schema lacks, required ones present, types / nullability / enums / SID patterns respected,
 * nested objects checked through their $refs, list envelopes matching the list responses.
 */

const OAI_DIR = path.resolve(__dirname, '../../../../shared/twilio-oai');
const hasSpecs = existsSync(path.join(OAI_DIR, 'twilio_api_v2010.json')) && existsSync(path.join(OAI_DIR, 'twilio_messaging_v2.json'));
if (!hasSpecs) {
  console.warn(`Skipping the emulator's OpenAPI shape tests: Twilio's OpenAPI files are not in ${OAI_DIR}`);
}
const describeWithSpecs = hasSpecs ? describe : describe.skip;

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
}

interface Spec {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  readonly components: { readonly schemas: Record<string, Schema> };
}

const loadSpec = (file: string): Spec => JSON.parse(readFileSync(path.join(OAI_DIR, file), 'utf8')) as Spec;

function resolve(spec: Spec, schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; current.$ref !== undefined && depth < 10; depth += 1) {
    current = spec.components.schemas[current.$ref.replace('#/components/schemas/', '')] ?? {};
  }
  return current;
}

/** Problems of `value` against `schema`, as readable strings (empty = conforms). */
function check(spec: Spec, value: unknown, raw: Schema, where: string): string[] {
  const schema = resolve(spec, raw);
  if (value === null) return schema.nullable === true || raw.nullable === true ? [] : [`${where}: null but not nullable`];
  const problems: string[] = [];
  if (schema.enum !== undefined && !schema.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} not in enum`);
  if (schema.pattern !== undefined && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) {
    problems.push(`${where}: ${value} does not match ${schema.pattern}`);
  }
  const type = schema.type;
  if (type === 'string' && typeof value !== 'string') problems.push(`${where}: expected string, got ${typeof value}`);
  if (type === 'integer' && !Number.isInteger(value)) problems.push(`${where}: expected integer, got ${JSON.stringify(value)}`);
  if (type === 'number' && typeof value !== 'number') problems.push(`${where}: expected number, got ${typeof value}`);
  if (type === 'boolean' && typeof value !== 'boolean') problems.push(`${where}: expected boolean, got ${typeof value}`);
  if (type === 'array') {
    if (!Array.isArray(value)) return [...problems, `${where}: expected array`];
    if (schema.items !== undefined) value.forEach((item, i) => problems.push(...check(spec, item, schema.items!, `${where}[${i}]`)));
  }
  if (schema.properties !== undefined) {
    if (typeof value !== 'object' || Array.isArray(value)) return [...problems, `${where}: expected object`];
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const property = schema.properties[key];
      if (property === undefined) problems.push(`${where}.${key}: not in the schema`);
      else problems.push(...check(spec, record[key], property, `${where}.${key}`));
    }
    for (const key of schema.required ?? []) if (!(key in record)) problems.push(`${where}.${key}: required but missing`);
  }
  return problems;
}

function listSchema(spec: Spec, apiPath: string): Schema {
  const schema = spec.paths[apiPath]?.['get']?.responses['200']?.content?.['application/json']?.schema;
  if (schema === undefined) throw new Error(`no list response for ${apiPath}`);
  return schema;
}

describeWithSpecs('emulator responses fit Twilio OpenAPI schemas', () => {
  let api: Spec;
  let messaging: Spec;
  let content: Spec;
  let emulator: TwilioEmulator;
  let auth: string;

  const call = async (method: string, url: string, body?: Record<string, string> | object, json = false): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${emulator.url}${url}`, {
      method,
      headers: {
        Authorization: auth,
        ...(body === undefined ? {} : { 'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded' }),
      },
      ...(body === undefined ? {} : { body: json ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString() }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  const expectFits = (spec: Spec, value: unknown, schema: Schema | string): void => {
    const raw = typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema;
    expect(check(spec, value, raw, typeof schema === 'string' ? schema : 'response')).toEqual([]);
  };

  let accountSid: string;
  let messageSid: string;

  beforeAll(async () => {
    api = loadSpec('twilio_api_v2010.json');
    messaging = loadSpec('twilio_messaging_v2.json');
    content = loadSpec('twilio_content_v1.json');
    emulator = await startTwilioEmulator({ senderOnlineDelayMs: 0 });
    accountSid = emulator.masterAccount.accountSid;
    auth = `Basic ${Buffer.from(`${accountSid}:${emulator.masterAccount.authToken}`).toString('base64')}`;
  });
  afterAll(() => emulator.close());

  it('the validator itself rejects foreign keys, wrong types and bad SIDs', () => {
    const problems = check(api, { sid: 'XX1', price: 3, surprise: true }, { $ref: '#/components/schemas/api.v2010.account.message' }, 'm');
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('m.sid'), expect.stringContaining('m.price'), expect.stringContaining('m.surprise')]));
  });

  it('accounts: create, fetch, update, list', async () => {
    const created = await call('POST', '/2010-04-01/Accounts.json', { FriendlyName: 'shape' });
    expect(created.status).toBe(201);
    expectFits(api, created.body, 'api.v2010.account');
    expect(created.body['sid']).toMatch(/^AC[0-9a-f]{32}$/);
    const sub = String(created.body['sid']);
    expectFits(api, (await call('GET', `/2010-04-01/Accounts/${sub}.json`)).body, 'api.v2010.account');
    const closed = await call('POST', `/2010-04-01/Accounts/${sub}.json`, { Status: 'closed' });
    expectFits(api, closed.body, 'api.v2010.account');
    expect(closed.body['status']).toBe('closed');
    const list = await call('GET', '/2010-04-01/Accounts.json?PageSize=1');
    expectFits(api, list.body, listSchema(api, '/2010-04-01/Accounts.json'));
    expect(list.body['next_page_uri']).toEqual(expect.stringContaining('Page=1'));
  });

  it('balance', async () => {
    expectFits(api, (await call('GET', `/2010-04-01/Accounts/${accountSid}/Balance.json`)).body, 'api.v2010.account.balance');
  });

  it('available numbers, incoming numbers', async () => {
    const search = await call('GET', `/2010-04-01/Accounts/${accountSid}/AvailablePhoneNumbers/US/Local.json?AreaCode=415&SmsEnabled=true&PageSize=3`);
    const searchPath = '/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Local.json';
    expectFits(api, search.body, listSchema(api, searchPath));
    const available = search.body['available_phone_numbers'] as Array<Record<string, unknown>>;
    expect(available).toHaveLength(3);
    expectFits(api, available[0], 'api.v2010.account.available_phone_number_country.available_phone_number_local');

    const bought = await call('POST', `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`, { PhoneNumber: String(available[0]!['phone_number']) });
    expect(bought.status).toBe(201);
    expectFits(api, bought.body, 'api.v2010.account.incoming_phone_number');
    const numberSid = String(bought.body['sid']);
    const updated = await call('POST', `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${numberSid}.json`, {
      SmsUrl: 'https://z.example.com/ticket-messages/webhook#rc=3&rp=5xx,ct,rt',
      SmsMethod: 'POST',
    });
    expectFits(api, updated.body, 'api.v2010.account.incoming_phone_number');
    expect(updated.body['sms_url']).toBe('https://z.example.com/ticket-messages/webhook#rc=3&rp=5xx,ct,rt');
    const list = await call('GET', `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(String(bought.body['phone_number']))}`);
    expectFits(api, list.body, listSchema(api, '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json'));
    expect(list.body['incoming_phone_numbers']).toHaveLength(1);
  });

  it('messages and media', async () => {
    const phone = emulator.state.ownNumber(accountSid, '+14155558888').phoneNumber;
    const sent = await call('POST', `/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      From: `whatsapp:${phone}`,
      To: 'whatsapp:+5511999998888',
      Body: 'shape',
      StatusCallback: 'https://z.example.com/ticket-messages/status?messageId=1',
    });
    expect(sent.status).toBe(201);
    expectFits(api, sent.body, 'api.v2010.account.message');
    messageSid = String(sent.body['sid']);
    expectFits(api, (await call('GET', `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`)).body, 'api.v2010.account.message');
    const list = await call('GET', `/2010-04-01/Accounts/${accountSid}/Messages.json?${new URLSearchParams({ To: 'whatsapp:+5511999998888', 'DateSent>': '2020-01-01T00:00:00Z' })}`);
    expectFits(api, list.body, listSchema(api, '/2010-04-01/Accounts/{AccountSid}/Messages.json'));
    expect(list.body['messages']).toHaveLength(1);
    await emulator.advanceMessage(messageSid, 'failed', 63016);
    const failed = await call('GET', `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`);
    expectFits(api, failed.body, 'api.v2010.account.message');
    expect(failed.body).toMatchObject({ status: 'failed', error_code: 63016 });

    const inbound = emulator.buildInboundParams({ to: phone, from: '+5511999998888', media: [{ contentType: 'image/png' }] });
    const mediaPath = new URL(inbound['MediaUrl0']!).pathname;
    const media = await call('GET', `${mediaPath}.json`);
    expectFits(api, media.body, 'api.v2010.account.message.media');
    expectFits(api, (await call('GET', `/2010-04-01/Accounts/${accountSid}/Messages/${inbound['MessageSid']}.json`)).body, 'api.v2010.account.message');
  });

  it('WhatsApp senders (v2)', async () => {
    const request = { sender_id: 'whatsapp:+14155559999', profile: { name: 'Shape Co' } };
    expectFits(messaging, request, 'messaging.v2.channels_sender.requests.create');
    const created = await call('POST', '/v2/Channels/Senders', request, true);
    expect(created.status).toBe(202);
    expectFits(messaging, created.body, 'messaging.v2.channels_sender_response');
    expect(created.body['status']).toBe('CREATING');
    const sid = String(created.body['sid']);
    const fetched = await call('GET', `/v2/Channels/Senders/${sid}`);
    expectFits(messaging, fetched.body, 'messaging.v2.channels_sender_response');
    expect(fetched.body['status']).toBe('ONLINE');
    const list = await call('GET', '/v2/Channels/Senders?Channel=whatsapp&PageSize=1');
    expectFits(messaging, list.body, listSchema(messaging, '/v2/Channels/Senders'));
    expect(Object.keys(list.body).sort()).toEqual(['meta', 'senders']);
    emulator.state.setSenderStatus(sid, 'OFFLINE');
    const offline = await call('GET', `/v2/Channels/Senders/${sid}`);
    expectFits(messaging, offline.body, 'messaging.v2.channels_sender_response');
    expect(offline.body['offline_reasons']).toHaveLength(1);
  });

  it('Content templates and their WhatsApp approval (content v1)', async () => {
    const created = await call('POST', '/v1/Content', { friendly_name: 'shape', language: 'en', variables: { '1': 'Ana' }, types: { 'twilio/text': { body: 'Hi {{1}}' } } }, true);
    expect(created.status).toBe(201);
    expectFits(content, created.body, 'content.v1.content');
    const sid = String(created.body['sid']);
    expect(sid).toMatch(/^HX[0-9a-f]{32}$/);
    expectFits(content, (await call('GET', `/v1/Content/${sid}`)).body, 'content.v1.content');
    const unsubmitted = await call('GET', `/v1/Content/${sid}/ApprovalRequests`);
    expectFits(content, unsubmitted.body, 'content.v1.content.approval_fetch');
    expect(unsubmitted.body['whatsapp']).toMatchObject({ status: 'unsubmitted' });
    const submitted = await call('POST', `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'shape', category: 'UTILITY' }, true);
    expect(submitted.status).toBe(201);
    expectFits(content, submitted.body, 'content.v1.content.approval_create');
    emulator.state.setContentApproval(sid, 'rejected', 'INVALID_FORMAT');
    const rejected = await call('GET', `/v1/Content/${sid}/ApprovalRequests`);
    expect(rejected.body['whatsapp']).toMatchObject({ type: 'whatsapp', name: 'shape', category: 'UTILITY', content_type: 'twilio/text', status: 'rejected', rejection_reason: 'INVALID_FORMAT' });
    emulator.state.addContent(accountSid, { friendlyName: 'second', types: { 'twilio/text': { body: 'Hello' } } });

    const list = await call('GET', '/v1/Content?PageSize=1');
    expectFits(content, list.body, listSchema(content, '/v1/Content'));
    expect(list.body['meta']).toMatchObject({ key: 'contents', page: 0, page_size: 1, next_page_url: expect.stringContaining('Page=1') });
    const withApprovals = await call('GET', '/v1/ContentAndApprovals');
    expectFits(content, withApprovals.body, listSchema(content, '/v1/ContentAndApprovals'));
    expect((withApprovals.body['contents'] as Array<Record<string, unknown>>).map((c) => (c['approval_requests'] as Record<string, unknown>)['status'])).toEqual(['rejected', 'approved']);
    expect((await call('DELETE', `/v1/Content/${sid}`)).status).toBe(204);
    expect((await call('GET', `/v1/Content/${sid}`)).status).toBe(404);
  });

  it('errors have Twilio’s shape', async () => {
    const unauthenticated = await fetch(`${emulator.url}/2010-04-01/Accounts/${accountSid}.json`);
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const missing = await call('GET', `/2010-04-01/Accounts/${accountSid}/Messages/SM${'0'.repeat(32)}.json`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 20404, message: expect.any(String), more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
    const invalid = await call('POST', `/2010-04-01/Accounts/${accountSid}/Messages.json`, { From: 'whatsapp:+14155550000', To: 'whatsapp:123', Body: 'x' });
    expect(invalid.body).toMatchObject({ code: 21211, status: 400 });
  });
});
