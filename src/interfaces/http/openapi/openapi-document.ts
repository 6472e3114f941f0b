import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { ATTACHMENT_ROUTES } from '../attachments/attachments.routes';
import { EVENT_ROUTES } from '../events/events.routes';
import { HEALTH_ROUTES } from '../health.routes';
import { INTEGRATION_OPERATION_ROUTES } from '../integrations/integration-operations.routes';
import { INTEGRATION_ROUTES } from '../integrations/integrations.routes';
import { NOTIFICATION_ROUTES } from '../notifications/notifications.routes';
import { OPERATIONS_ROUTES } from '../operations/operations.routes';
import { REPLY_ROUTES } from '../replies/replies.routes';
import { TEMPLATE_ROUTES } from '../templates/templates.routes';
import { TICKET_ROUTES } from '../tickets/tickets.routes';
import { TWILIO_WEBHOOK_ROUTES } from '../webhooks/twilio-webhooks.routes';
import { ApiRoute, registerRoute, SECURITY_SCHEMES } from './api-route';

/** Every documented route of the HTTP API (a test checks it against the app's routes). */
export const API_ROUTES: readonly ApiRoute[] = [
  ...INTEGRATION_ROUTES,
  ...TEMPLATE_ROUTES,
  ...INTEGRATION_OPERATION_ROUTES,
  ...TICKET_ROUTES,
  ...REPLY_ROUTES,
  ...ATTACHMENT_ROUTES,
  ...EVENT_ROUTES,
  ...NOTIFICATION_ROUTES,
  ...TWILIO_WEBHOOK_ROUTES,
  ...HEALTH_ROUTES,
  ...OPERATIONS_ROUTES,
];

const DESCRIPTION = [
  'WhatsApp over Twilio for a multi-tenant helpdesk: integrations, tickets, replies, real-time events.',
  '',
  'Authenticate with `Authorization: Bearer <JWT>` (HS256, claims `sub`, `companyId`, `role`: `admin` or `agent`); in this page, **Authorize** takes the token. Missing or invalid token → 401, a role that may not do it → 403, another company\'s resource → 404.',
  '',
  'Errors are `{"error": {"code", "message", "details"?}}`; nothing is written when a request is refused. Lists answer `{items, nextCursor}`: pass `nextCursor` back as `cursor` for the next page.',
].join('\n');

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

/** The OpenAPI 3.0 document of the API, generated from the zod schemas the controllers validate with. */
export function buildOpenApiDocument(options: { serverUrl?: string } = {}): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) registry.registerComponent('securitySchemes', name, { ...scheme });
  for (const route of API_ROUTES) registerRoute(registry, route);
  return new OpenApiGeneratorV3(registry.definitions, { unionPreferredType: 'oneOf', sortComponents: 'alphabetically' }).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Zapdesk', version: '1', description: DESCRIPTION },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'integrations', description: 'WhatsApp numbers connected through Twilio (admins).' },
      { name: 'tickets', description: 'Conversations with customers.' },
      { name: 'replies', description: "Agents' replies and their delivery." },
      { name: 'events', description: 'Server-sent events.' },
      { name: 'notifications', description: 'Integration failures and recoveries, low balance, webhook drift (admins); failed sends (agents).' },
      { name: 'twilio webhooks', description: 'Called by Twilio, signed by Twilio; not for people.' },
      { name: 'service', description: 'Health, readiness and metrics.' },
    ],
  });
}
