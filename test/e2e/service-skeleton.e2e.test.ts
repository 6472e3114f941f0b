import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { COMMAND_HANDLERS, QUERY_HANDLERS } from '../../src/infrastructure/di/handler-registry';
import { startTestService, TestService } from '../support/e2e/test-service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

describe('service skeleton', () => {
  it('answers GET /health without a token, with the database status', async () => {
    const response = await t.http.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', database: { status: 'up' } });
    expect(typeof response.body.database.latencyMs).toBe('number');
  });

  it('serves the OpenAPI UI', async () => {
    expect((await t.http.get('/docs')).status).toBe(200);
  });

  it('routes every core command and query to a handler through the Nest buses', async () => {
    const commandBus = t.service.app.get(CommandBus);
    const queryBus = t.service.app.get(QueryBus);
    const routed = async (execute: () => Promise<unknown>) => {
      try {
        await execute();
      } catch (error) {
        // An empty message makes the handler itself fail; only "no handler" is a wiring bug.
        if ((error as Error).constructor.name.endsWith('HandlerNotFoundException')) return false;
      }
      return true;
    };
    for (const { message } of COMMAND_HANDLERS) {
      expect([message.name, await routed(() => commandBus.execute(Object.create(message.prototype)))]).toEqual([message.name, true]);
    }
    for (const { message } of QUERY_HANDLERS) {
      expect([message.name, await routed(() => queryBus.execute(Object.create(message.prototype)))]).toEqual([message.name, true]);
    }
  });

  it('accepts a token in the URL only for the event stream, never for the REST API', async () => {
    const token = t.token('acme', 'admin');
    expect((await t.http.get(`/integrations?access_token=${token}`)).status).toBe(401);
    expect((await t.http.get('/integrations').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const response = await t.http.get('/nope').set('Authorization', `Bearer ${t.token('acme', 'admin')}`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('REQUEST.NOT_FOUND');
  });
});
