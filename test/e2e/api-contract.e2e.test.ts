import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { errorBody } from '../../src/interfaces/http/openapi/common.schemas';
import { buildOpenApiDocument } from '../../src/interfaces/http/openapi/openapi-document';
import { healthJson } from '../../src/interfaces/http/health.schemas';
import { integrationJson, integrationPage } from '../../src/interfaces/http/integrations/integration.schemas';
import { notificationPage } from '../../src/interfaces/http/notifications/notification.schemas';
import { messageJson, messagePage, ticketJson, ticketPage } from '../../src/interfaces/http/tickets/ticket.schemas';
import { customerWrites, reply, startOutboundService } from './outbound-support';
import { TEST_JWT_SECRET, TestService } from '../support/e2e/test-service';
import { connectExistingNumber } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

let t: TestService;
const bearer = (companyId: string, role: 'admin' | 'agent', userId?: string) => `Bearer ${t.token(companyId, role, userId)}`;

beforeAll(async () => {
  t = await startOutboundService();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

/** The answer fits the documented schema (the zod schema the document is generated from). */
function fits<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`answer does not fit its schema: ${JSON.stringify(result.error.issues)}\n${JSON.stringify(body)}`);
  return result.data;
}

describe('API documentation', () => {
  it('serves Swagger UI at /docs and the generated document at /docs-json', async () => {
    const ui = await t.http.get('/docs/').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger-ui/i);
    const json = await t.http.get('/docs-json');
    expect(json.status).toBe(200);
    expect(json.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(Object.keys(json.body.components.schemas).length).toBeGreaterThan(10);
  });

  it('answers as documented: integrations, tickets, messages, notifications, errors, health', async () => {
    const number = await connectExistingNumber(t, 'docs-co', '+14155553100');
    const integration = fits(integrationJson, (await t.http.get(`/integrations/${number.integrationId}`).set('Authorization', bearer('docs-co', 'admin'))).body);
    expect(integration).not.toHaveProperty('authToken');
    fits(integrationPage, (await t.http.get('/integrations').set('Authorization', bearer('docs-co', 'admin'))).body);
    fits(integrationPage, (await t.http.get('/integrations/whatsapp').set('Authorization', bearer('docs-co', 'agent'))).body);

    const ticket = await customerWrites(t, number, '+5511970003100', 'Olá');
    fits(ticketJson, (await t.http.get(`/tickets/${ticket.ticketId}`).set('Authorization', bearer('docs-co', 'agent'))).body);
    fits(ticketPage, (await t.http.get('/tickets').set('Authorization', bearer('docs-co', 'agent'))).body);
    const sent = await reply(t, ticket, { body: 'Olá! Como posso ajudar?' });
    expect(sent.status).toBe(202);
    fits(messageJson, sent.body);
    fits(messagePage, (await t.http.get(`/tickets/${ticket.ticketId}/messages`).set('Authorization', bearer('docs-co', 'agent'))).body);
    fits(notificationPage, (await t.http.get('/notifications').set('Authorization', bearer('docs-co', 'admin'))).body);

    fits(errorBody, (await t.http.get('/tickets')).body);
    fits(errorBody, (await t.http.get('/tickets/nope').set('Authorization', bearer('docs-co', 'agent'))).body);
    fits(healthJson, (await t.http.get('/health')).body);
  });
});

describe('API details a newcomer met', () => {
  it('a token with a role Zapdesk does not know is refused with 403, not 401', async () => {
    const token = jwt.sign({ sub: 'u1', companyId: 'acme', role: 'supervisor' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    for (const call of [
      t.http.get('/tickets').set('Authorization', `Bearer ${token}`),
      t.http.get('/integrations').set('Authorization', `Bearer ${token}`),
      t.http.post('/integrations').set('Authorization', `Bearer ${token}`).send({ mode: 'provision', countryCode: 'US' }),
      t.http.get(`/events?access_token=${token}`),
    ]) {
      const answer = await call;
      expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 403, code: 'AUTH.FORBIDDEN' });
    }
    // A token without a role at all is still not a valid token.
    const roleless = jwt.sign({ sub: 'u1', companyId: 'acme' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    expect((await t.http.get('/tickets').set('Authorization', `Bearer ${roleless}`)).status).toBe(401);
  });

  it('refuses a country code that is not ISO 3166-1 alpha-2 up front, storing nothing', async () => {
    const before = await t.service.connection.db!.collection('integrations').countDocuments({});
    for (const countryCode of ['ZZ', 'XX', 'us', 'USA']) {
      const answer = await t.http.post('/integrations').set('Authorization', bearer('acme', 'admin')).send({ mode: 'provision', countryCode });
      expect(answer.status).toBe(400);
      expect(answer.body.error.details).toEqual([{ field: 'countryCode', issue: 'must be an ISO 3166-1 alpha-2 country code such as US' }]);
    }
    expect(await t.service.connection.db!.collection('integrations').countDocuments({})).toBe(before);
  });

  it('a reply with a wrong field names it and says what is expected', async () => {
    const number = await connectExistingNumber(t, 'field-co', '+14155553101');
    const ticket = await customerWrites(t, number, '+5511970003101');
    const answer = await reply(t, ticket, { text: 'hello' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION.INVALID_REQUEST');
    expect(answer.body.error.details).toEqual([
      { field: 'text', issue: 'is not a field of this request' },
      { field: '(body)', issue: expect.stringContaining('{"body": "<text>"}') },
    ]);
    expect(answer.body.error.message).toMatch(/text is not a field/);
    expect(answer.body.error.message).not.toMatch(/Invalid input/);
    // Other mistakes name their field and the rule too.
    const wrongType = await reply(t, ticket, { body: 42 });
    expect(wrongType.body.error.details).toEqual([{ field: 'body', issue: 'must be a string, not a number' }]);
    const badLimit = await t.http.get('/tickets?limit=0&sort=new').set('Authorization', bearer('field-co', 'agent'));
    expect(badLimit.body.error.details).toEqual([
      { field: 'limit', issue: 'must be an integer from 1 to 200' },
      { field: 'sort', issue: 'is not a field of this request (expected status, integrationId, cursor, limit)' },
    ]);
  });

  it('every list answers {items, nextCursor}, and notifications page with the cursor', async () => {
    const number = await connectExistingNumber(t, 'lists-co', '+14155553102');
    for (const path of ['/integrations', '/integrations/whatsapp', '/tickets', '/notifications']) {
      const answer = await t.http.get(path).set('Authorization', bearer('lists-co', 'admin'));
      expect({ path, status: answer.status, keys: Object.keys(answer.body).sort() }).toEqual({ path, status: 200, keys: ['items', 'nextCursor'] });
    }
    const integrations = await t.http.get('/integrations').set('Authorization', bearer('lists-co', 'admin'));
    expect(integrations.body).toEqual({ items: [expect.objectContaining({ id: number.integrationId })], nextCursor: null });

    // Three failed validations of a broken account → three admin notifications, paged by two.
    const broken = t.emulator.state.createAccount('lists broken', null);
    t.emulator.state.ownNumber(broken.sid, '+14155553103');
    const created = await t.http
      .post('/integrations')
      .set('Authorization', bearer('lists-co', 'admin'))
      .send({ mode: 'existing', accountSid: broken.sid, authToken: 'e'.repeat(32), whatsappNumber: '+14155553103' });
    expect(created.body.status).toBe('error');
    for (let i = 0; i < 2; i += 1) {
      broken.authToken = 'e'.repeat(32);
      expect((await t.http.post(`/integrations/${created.body.id}/validate`).set('Authorization', bearer('lists-co', 'admin'))).body.status).toBe('active');
      broken.authToken = 'f'.repeat(32);
      expect((await t.http.post(`/integrations/${created.body.id}/validate`).set('Authorization', bearer('lists-co', 'admin'))).body.status).toBe('error');
    }
    const all = (await t.http.get('/notifications').set('Authorization', bearer('lists-co', 'admin'))).body;
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    const first = await t.http.get('/notifications?limit=2').set('Authorization', bearer('lists-co', 'admin'));
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe('string');
    const rest = await t.http.get(`/notifications?limit=200&cursor=${first.body.nextCursor}`).set('Authorization', bearer('lists-co', 'admin'));
    expect(rest.body.nextCursor).toBeNull();
    expect([...first.body.items, ...rest.body.items].map((n: { id: string }) => n.id)).toEqual(all.items.map((n: { id: string }) => n.id));
    const foreign = await t.http.get(`/notifications?cursor=${first.body.nextCursor.slice(0, -2)}xx`).set('Authorization', bearer('lists-co', 'admin'));
    expect(foreign.status).toBe(400);
  });

  it("a new ticket's updatedAt is never earlier than its createdAt", async () => {
    const number = await connectExistingNumber(t, 'dates-co', '+14155553104');
    for (let i = 0; i < 5; i += 1) {
      const ticket = await customerWrites(t, number, `+551197000320${i}`);
      const got = (await t.http.get(`/tickets/${ticket.ticketId}`).set('Authorization', bearer('dates-co', 'agent'))).body;
      expect(Date.parse(got.updatedAt)).toBeGreaterThanOrEqual(Date.parse(got.createdAt));
    }
  });
});
