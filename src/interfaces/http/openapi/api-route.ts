import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Role } from '../auth/viewer';
import { errorBody, ErrorBodyJson } from './common.schemas';

type ZodObjectLike = z.ZodObject;

/** A named example of a request body (Swagger UI offers them in "Try it out"). */
export interface NamedExample {
  readonly summary: string;
  readonly value: unknown;
}

export interface ApiResponse {
  readonly description: string;
  /** Media type; `application/json` when a schema is given and none is named. */
  readonly contentType?: string;
  readonly schema?: z.ZodType;
  /** Checked against `schema` by the OpenAPI test; defaults to the schema's own example. */
  readonly example?: unknown;
  readonly headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

/**
 * One route of the HTTP API as documented: the zod schemas the controller validates with, its
 * answers and examples. `auth` says who may call it: `bearer` (with `roles`), `twilio`
 * (Twilio's signature), or `public`.
 */
export interface ApiRoute {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style: `/integrations/{id}`. */
  readonly path: string;
  readonly tag: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly auth: 'bearer' | 'twilio' | 'public';
  readonly roles?: readonly Role[];
  readonly request?: {
    readonly params?: ZodObjectLike;
    readonly query?: ZodObjectLike;
    readonly headers?: ZodObjectLike;
    readonly body?: {
      readonly contentType: string;
      readonly schema: z.ZodType;
      readonly description?: string;
      readonly examples: Record<string, NamedExample>;
      /** Other media types the route takes (e.g. `multipart/form-data` files), documented only: the controller reads them itself. */
      readonly alternatives?: ReadonlyArray<{ readonly contentType: string; readonly schema: z.ZodType }>;
    };
  };
  /** Success and route-specific refusals; the usual ones (400, 401, 403, 404, 500) are added. */
  readonly responses: Readonly<Record<number, ApiResponse>>;
}

const STANDARD_ERRORS: Readonly<Record<number, { description: string; example: ErrorBodyJson }>> = {
  400: {
    description: 'Invalid input: one detail per bad field, saying what is expected.',
    example: {
      error: {
        code: 'VALIDATION.INVALID_REQUEST',
        message: 'the request is invalid: text is not a field of this request',
        details: [{ field: 'text', issue: 'is not a field of this request' }],
      },
    },
  },
  401: { description: 'No bearer token, or an invalid or expired one.', example: { error: { code: 'AUTH.UNAUTHENTICATED', message: 'a bearer token is required' } } },
  403: { description: "The token's role may not do this.", example: { error: { code: 'AUTH.FORBIDDEN', message: 'your role may not do this' } } },
  413: { description: 'The body is over 64 KB.', example: { error: { code: 'REQUEST.TOO_LARGE', message: 'request body is too large' } } },
  404: {
    description: "Not found, or another company's (never revealed).",
    example: { error: { code: 'REQUEST.NOT_FOUND', message: 'not found' } },
  },
  500: { description: 'An unexpected failure (logged).', example: { error: { code: 'SERVICE.INTERNAL', message: 'internal error' } } },
};

/** An error response with the API's error shape and an example of it. */
export function errorResponse(description: string, code: string, message: string): ApiResponse {
  return { description, schema: errorBody, example: { error: { code, message } } satisfies ErrorBodyJson };
}

/** 404 for an id that names nothing this company has (unknown, malformed, or another company's). */
export function notFound(aggregate: string, exampleId: string): ApiResponse {
  return errorResponse(`No such ${aggregate} in the caller's company (another company's is never revealed).`, `${aggregate.toUpperCase()}.NOT_FOUND`, `${aggregate} ${exampleId} was not found`);
}

/** The answers of a route: its own, then the usual refusals that apply to it. */
export function allResponses(route: ApiRoute): Record<number, ApiResponse> {
  const responses: Record<number, ApiResponse> = { ...route.responses };
  const add = (status: number) => {
    if (responses[status] === undefined) responses[status] = { ...STANDARD_ERRORS[status]!, schema: errorBody };
  };
  const request = route.request ?? {};
  // Path ids are not validated: an id that names nothing is a 404, like another company's.
  if (request.body || request.query || request.headers) add(400);
  if (request.body) add(413);
  if (route.auth === 'bearer') {
    add(401);
    add(403);
  }
  if (request.params) add(404);
  add(500);
  return responses;
}

/** The example of a response: its own, else its schema's. */
export function responseExample(response: ApiResponse): unknown {
  return response.example ?? (response.schema ? exampleOf(response.schema) : undefined);
}

export function exampleOf(schema: z.ZodType): unknown {
  return (schema.meta() as { example?: unknown } | undefined)?.example;
}

export const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 JWT with `sub`, `companyId` and `role` (`admin` or `agent`).' },
  accessTokenQuery: { type: 'apiKey', in: 'query', name: 'access_token', description: 'The same JWT in the URL: `GET /events` only (EventSource cannot set headers).' },
  twilioSignature: { type: 'apiKey', in: 'header', name: 'X-Twilio-Signature', description: "Twilio's request signature, checked with the auth token of the account that owns the number." },
} as const;

/** Adds a route to the registry, with its usual refusals, examples and security. */
export function registerRoute(registry: OpenAPIRegistry, route: ApiRoute): void {
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(allResponses(route))) {
    const example = responseExample(response);
    responses[status] = {
      description: response.description,
      ...(response.headers ? { headers: response.headers } : {}),
      ...(response.schema
        ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema, ...(example !== undefined ? { example } : {}) } } }
        : {}),
    };
  }
  const request = route.request;
  const roles = route.roles ? `\n\nRoles: ${route.roles.join(', ')}.` : '';
  registry.registerPath({
    method: route.method,
    path: route.path,
    tags: [route.tag],
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description ?? route.summary}${roles}`,
    security: securityOf(route),
    ...(route.roles ? { 'x-roles': [...route.roles] } : {}),
    request: {
      ...(request?.params ? { params: request.params } : {}),
      ...(request?.query ? { query: request.query } : {}),
      ...(request?.headers ? { headers: request.headers } : {}),
      ...(request?.body
        ? {
            body: {
              required: true,
              ...(request.body.description ? { description: request.body.description } : {}),
              content: {
                [request.body.contentType]: { schema: request.body.schema, examples: request.body.examples },
                ...Object.fromEntries((request.body.alternatives ?? []).map((alternative) => [alternative.contentType, { schema: alternative.schema }])),
              },
            },
          }
        : {}),
    },
    responses,
  });
}

function securityOf(route: ApiRoute): Array<Record<string, string[]>> {
  switch (route.auth) {
    case 'bearer':
      return route.path === '/events' ? [{ bearerAuth: [] }, { accessTokenQuery: [] }] : [{ bearerAuth: [] }];
    case 'twilio':
      return [{ twilioSignature: [] }];
    case 'public':
      return [];
  }
}
