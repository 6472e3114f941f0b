import fc from 'fast-check';
import { startTestService, TestService } from '../support/e2e/test-service';

jest.setTimeout(120_000);

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

const count = () => t.service.connection.db!.collection('integrations').countDocuments({});

const VALID_EXISTING = {
  mode: 'existing',
  accountSid: `AC${'1'.repeat(32)}`,
  authToken: 'a'.repeat(32),
  whatsappNumber: '+14155552000',
};

/** One thing wrong with an otherwise valid body, and the field that should be named. */
const invalidBody = fc.oneof(
  fc.string({ maxLength: 40 }).filter((s) => !/^AC[0-9a-f]{32}$/.test(s)).map((accountSid) => ({ body: { ...VALID_EXISTING, accountSid }, field: 'accountSid' })),
  fc.string({ maxLength: 20 }).filter((s) => !/^\+?[1-9]\d{6,14}$/.test(s.replace(/[\s\-().]/g, ''))).map((n) => ({ body: { ...VALID_EXISTING, whatsappNumber: n }, field: 'whatsappNumber' })),
  fc.string({ minLength: 1, maxLength: 12 }).filter((m) => m !== 'existing' && m !== 'provision').map((mode) => ({ body: { ...VALID_EXISTING, mode }, field: 'mode' })),
  fc.constantFrom('extra', 'status', 'companyId', 'id').map((key) => ({ body: { ...VALID_EXISTING, [key]: 'x' }, field: key })),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })).map((v) => ({ body: { ...VALID_EXISTING, authToken: v }, field: 'authToken' })),
  fc.integer({ min: 200, max: 20000 }).map((n) => ({ body: { ...VALID_EXISTING, friendlyName: 'x'.repeat(n) }, field: 'friendlyName' })),
  fc.constantFrom('accountSid', 'authToken', 'whatsappNumber').map((key) => {
    const body: Record<string, unknown> = { ...VALID_EXISTING };
    delete body[key];
    return { body, field: key };
  }),
  fc.string({ maxLength: 4 }).filter((c) => !/^[A-Z]{2}$/.test(c)).map((countryCode) => ({ body: { mode: 'provision', countryCode }, field: 'countryCode' })),
);

describe('integration request validation (property)', () => {
  it('refuses any invalid body with 400, names the field, and stores nothing', async () => {
    const admin = t.token('acme', 'admin');
    const before = await count();
    await fc.assert(
      fc.asyncProperty(invalidBody, async ({ body, field }) => {
        const response = await t.http.post('/integrations').set('Authorization', `Bearer ${admin}`).send(body);
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('VALIDATION.INVALID_REQUEST');
        const fields = (response.body.error.details as Array<{ field: string }>).map((d) => d.field).join(' ');
        expect(fields).toContain(field);
        // The refused token never comes back in the error.
        const token = (body as { authToken?: unknown }).authToken;
        if (typeof token === 'string') expect(JSON.stringify(response.body)).not.toContain(token);
      }),
      { numRuns: 60 },
    );
    expect(await count()).toBe(before);
  });

  it('refuses a body over the size limit with 413 and malformed JSON with 400', async () => {
    const admin = t.token('acme', 'admin');
    const huge = await t.http.post('/integrations').set('Authorization', `Bearer ${admin}`).send({ ...VALID_EXISTING, friendlyName: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('REQUEST.TOO_LARGE');
    const malformed = await t.http.post('/integrations').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'application/json').send('{"mode":');
    expect(malformed.status).toBe(400);
  });
});

type Action =
  | { kind: 'create'; company: 0 | 1 }
  | { kind: 'read' | 'update' | 'delete' | 'validate'; actor: 0 | 1; target: number };

describe('tenant isolation (property)', () => {
  it('no request of one company ever sees or changes the other company’s integrations', async () => {
    const companies = ['tenant-a', 'tenant-b'] as const;
    const action: fc.Arbitrary<Action> = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), company: fc.constantFrom(0 as const, 1 as const) }),
      fc.record({ kind: fc.constantFrom('read' as const, 'update' as const, 'delete' as const, 'validate' as const), actor: fc.constantFrom(0 as const, 1 as const), target: fc.nat(20) }),
    );
    let numberSeq = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
        const owned: Array<{ id: string; company: 0 | 1; friendlyName: string | undefined }> = [];
        for (const a of actions) {
          if (a.kind === 'create') {
            const number = `+1415556${String(++numberSeq).padStart(4, '0')}`;
            const account = t.emulator.state.createAccount(`prop ${number}`, null);
            t.emulator.state.ownNumber(account.sid, number);
            const r = await t.http
              .post('/integrations')
              .set('Authorization', `Bearer ${t.token(companies[a.company], 'admin')}`)
              .send({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: number });
            expect(r.status).toBe(201);
            owned.push({ id: r.body.id, company: a.company, friendlyName: undefined });
            continue;
          }
          if (owned.length === 0) continue;
          const target = owned[a.target % owned.length]!;
          const token = `Bearer ${t.token(companies[a.actor], 'admin')}`;
          const mine = target.company === a.actor;
          const path = `/integrations/${target.id}`;
          const r =
            a.kind === 'read'
              ? await t.http.get(path).set('Authorization', token)
              : a.kind === 'update'
                ? await t.http.patch(path).set('Authorization', token).send({ friendlyName: `by ${a.actor}` })
                : a.kind === 'validate'
                  ? await t.http.post(`${path}/validate`).set('Authorization', token)
                  : await t.http.delete(path).set('Authorization', token);
          if (!mine) {
            expect(r.status).toBe(404);
            // Exactly what a made-up id gets: nothing tells the resource exists.
            expect(r.body).toEqual({ error: { code: 'INTEGRATION.NOT_FOUND', message: `integration ${target.id} was not found` } });
            continue;
          }
          expect(r.status).toBeLessThan(300);
          if (a.kind === 'update') target.friendlyName = `by ${a.actor}`;
          if (a.kind === 'delete') owned.splice(owned.indexOf(target), 1);
        }
        // Each company's list holds exactly its own, unchanged by the other.
        for (const company of [0, 1] as const) {
          const list = await t.http.get('/integrations').set('Authorization', `Bearer ${t.token(companies[company], 'admin')}`);
          expect(list.body.nextCursor).toBeNull();
          const ids = new Set(list.body.items.map((i: { id: string }) => i.id));
          for (const o of owned) expect(ids.has(o.id)).toBe(o.company === company);
          for (const i of list.body.items) {
            expect(i.companyId).toBe(companies[company]);
            const o = owned.find((x) => x.id === i.id);
            if (o?.friendlyName) expect(i.friendlyName).toBe(`by ${company}`);
          }
        }
        // Clean up this run's integrations so runs stay independent.
        for (const o of owned) await t.http.delete(`/integrations/${o.id}`).set('Authorization', `Bearer ${t.token(companies[o.company], 'admin')}`);
      }),
      { numRuns: 15 },
    );
  });
});
