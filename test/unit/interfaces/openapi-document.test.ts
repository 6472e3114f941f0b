import 'reflect-metadata';
import SwaggerParser from '@apidevtools/swagger-parser';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { z } from 'zod';
import { HTTP_CONTROLLERS } from '../../../src/infrastructure/di/interface-providers';
import { HealthController } from '../../../src/interfaces/http/health.controller';
import { allResponses, ApiRoute, exampleOf, responseExample } from '../../../src/interfaces/http/openapi/api-route';
import { API_ROUTES, buildOpenApiDocument } from '../../../src/interfaces/http/openapi/openapi-document';

interface AppRoute {
  readonly method: string;
  /** OpenAPI style: `/tickets/{id}`. */
  readonly path: string;
  readonly takesBody: boolean;
  readonly takesQuery: boolean;
  readonly pathParams: readonly string[];
}

/** Every route the Nest app serves, read from the controllers' own routing metadata. */
function appRoutes(): AppRoute[] {
  const routes: AppRoute[] = [];
  for (const controller of [HealthController, ...HTTP_CONTROLLERS] as Type[]) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (method === undefined || sub === undefined) continue;
      const joined = `/${[base, sub].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
      const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { data?: unknown }>);
      const argsOf = (type: RouteParamtypes) => args.filter(([key]) => Number(key.split(':')[0]) === type);
      routes.push({
        method: RequestMethod[method].toLowerCase(),
        path: joined.replace(/:(\w+)/g, '{$1}'),
        takesBody: argsOf(RouteParamtypes.BODY).length > 0,
        takesQuery: argsOf(RouteParamtypes.QUERY).length > 0,
        pathParams: argsOf(RouteParamtypes.PARAM).map(([, arg]) => String(arg.data)),
      });
    }
  }
  return routes;
}

const document = buildOpenApiDocument();
type Operation = {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content: Record<string, { schema?: unknown; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
  security?: Array<Record<string, string[]>>;
};
const operation = (method: string, path: string) => (document.paths[path] as Record<string, Operation> | undefined)?.[method];
const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

describe('the OpenAPI document', () => {
  const routes = appRoutes();

  it('is a valid OpenAPI 3.0 document (schema and references), as client generators need', async () => {
    const parsed = await SwaggerParser.validate(JSON.parse(JSON.stringify(document)));
    expect((parsed as { openapi?: string }).openapi).toBe('3.0.3');
  });

  it('lists every route of the Nest app, and no route the app does not serve', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((method) => key({ method, path })));
    expect(documented.sort()).toEqual(routes.map(key).sort());
    expect(API_ROUTES.map(key).sort()).toEqual(routes.map(key).sort());
  });

  it('gives every route its request: body schema where the controller reads a body, query and path parameters', () => {
    for (const route of routes) {
      const op = operation(route.method, route.path)!;
      const params = op.parameters ?? [];
      for (const name of route.pathParams) {
        expect({ route: key(route), name, param: params.find((p) => p.in === 'path' && p.name === name) }).toMatchObject({ param: { required: true, schema: expect.anything() } });
      }
      if (route.takesQuery) expect({ route: key(route), query: params.some((p) => p.in === 'query') }).toEqual({ route: key(route), query: true });
      if (route.takesBody) {
        const content = Object.values(op.requestBody?.content ?? {});
        // One schema per media type taken (JSON, and multipart/form-data where files go too).
        expect({ route: key(route), schemas: content.filter((c) => c.schema !== undefined).length }).toEqual({ route: key(route), schemas: content.length });
        expect(content.length).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('gives every response but 204 a schema and an example, errors included', () => {
    for (const route of routes) {
      const op = operation(route.method, route.path)!;
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => s.startsWith('2'))).toBe(true);
      expect(statuses).toContain('500');
      // Bearer routes refuse with 401/403; public ones (health, readiness, metrics, the signed media URLs Twilio downloads) and Twilio's webhooks do not.
      const documented = API_ROUTES.find((r) => r.method === route.method && r.path === route.path);
      if (documented?.auth === 'bearer') {
        expect({ route: key(route), statuses }).toEqual({ route: key(route), statuses: expect.arrayContaining(['401', '403']) });
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === '204') continue;
        const contents = Object.values(response.content ?? {});
        expect({ route: key(route), status, contents: contents.length }).toEqual({ route: key(route), status, contents: 1 });
        expect({ route: key(route), status, schema: contents[0]!.schema !== undefined, example: contents[0]!.example !== undefined }).toEqual({
          route: key(route),
          status,
          schema: true,
          example: true,
        });
      }
    }
  });

  it('has examples that validate against the very zod schemas the controllers use', () => {
    const failures: string[] = [];
    const check = (where: string, schema: z.ZodType, value: unknown) => {
      const result = schema.safeParse(value);
      if (!result.success) failures.push(`${where}: ${JSON.stringify(result.error.issues)}`);
    };
    for (const route of API_ROUTES) {
      const body = route.request?.body;
      if (body) {
        for (const [name, example] of Object.entries(body.examples)) check(`${key(route)} body example ${name}`, body.schema, example.value);
        if (exampleOf(body.schema) !== undefined) check(`${key(route)} body schema example`, body.schema, exampleOf(body.schema));
      }
      for (const part of ['params', 'query', 'headers'] as const) {
        const object = route.request?.[part];
        if (!object) continue;
        for (const [field, schema] of Object.entries(object.shape as Record<string, z.ZodType>)) {
          const example = exampleOf(schema);
          if (example !== undefined) check(`${key(route)} ${part}.${field} example`, schema, example);
        }
      }
      for (const [status, response] of Object.entries(allResponses(route))) {
        if (!response.schema) continue;
        const example = responseExample(response);
        if (example === undefined) failures.push(`${key(route)} ${status}: no example`);
        else check(`${key(route)} ${status} example`, response.schema, example);
      }
    }
    expect(failures).toEqual([]);
  });

  it('documents bearer auth, the event stream and Twilio webhooks as what they are', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      twilioSignature: { type: 'apiKey', in: 'header', name: 'X-Twilio-Signature' },
    });
    for (const route of API_ROUTES) {
      const op = operation(route.method, route.path)!;
      if (route.auth === 'bearer') expect(op.security).toContainEqual({ bearerAuth: [] });
      if (route.auth === 'public') expect(op.security).toEqual([]);
    }
    for (const path of ['/ticket-messages/webhook', '/ticket-messages/status']) {
      const op = operation('post', path)!;
      expect(op.security).toEqual([{ twilioSignature: [] }]);
      expect(Object.keys(op.requestBody!.content)).toEqual(['application/x-www-form-urlencoded']);
      expect(op.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'X-Twilio-Signature', required: true }));
      expect(Object.keys(op.responses['200']!.content!)).toEqual(['text/xml']);
    }
    const events = operation('get', '/events')!;
    expect(Object.keys(events.responses['200']!.content!)).toEqual(['text/event-stream']);
    const described = JSON.stringify(document.components?.schemas?.['ServerSentEvent']);
    for (const name of ['integration.updated', 'ticket.created', 'ticket.updated', 'message.created', 'message.updated', 'notification.created', 'stream.reset']) {
      expect(described).toContain(`"${name}"`);
    }
    expect(events.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'Last-Event-ID' }));
  });

  it('offers ready-to-send bodies for creating an integration (both modes) and replying (text and template)', () => {
    const create = operation('post', '/integrations')!.requestBody!.content['application/json']!;
    expect(Object.values(create.examples!).map((e) => (e.value as { mode: string }).mode).sort()).toEqual(['existing', 'provision']);
    const reply = operation('post', '/tickets/{id}/messages')!.requestBody!.content['application/json']!;
    expect(Object.values(reply.examples!).map((e) => Object.keys(e.value as object)[0]).sort()).toEqual(['attachments', 'body', 'contentSid']);
  });

  it('uses one list envelope, {items, nextCursor}, for every list', () => {
    for (const [path, method] of [
      ['/integrations', 'get'],
      ['/integrations/whatsapp', 'get'],
      ['/tickets', 'get'],
      ['/tickets/{id}/messages', 'get'],
      ['/notifications', 'get'],
    ] as const) {
      const ref = (operation(method, path)!.responses['200']!.content!['application/json']!.schema as { $ref: string }).$ref;
      const schema = document.components!.schemas![ref.split('/').pop()!] as { properties: Record<string, unknown>; required: string[] };
      expect({ path, properties: Object.keys(schema.properties).sort(), required: [...schema.required].sort() }).toEqual({
        path,
        properties: ['items', 'nextCursor'],
        required: ['items', 'nextCursor'],
      });
    }
  });

  it('never shows a secret in an example answer', () => {
    const answers = API_ROUTES.flatMap((route: ApiRoute) => Object.values(allResponses(route)).map(responseExample));
    expect(JSON.stringify(answers)).not.toMatch(/authToken/);
  });
});
