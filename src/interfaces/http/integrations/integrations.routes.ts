import { ApiRoute, errorResponse, notFound } from '../openapi/api-route';
import { EXAMPLE, idParams } from '../openapi/common.schemas';
import { createIntegrationBody, integrationJson, integrationPage, updateIntegrationBody } from './integration.schemas';

const integrationId = idParams('The integration.', EXAMPLE.integrationId);
const one = (description: string) => ({ description, schema: integrationJson });
const missing = notFound('integration', EXAMPLE.integrationId);
const numberInUse = errorResponse(
  'The WhatsApp number already belongs to an integration (of any company).',
  'INTEGRATION.NUMBER_IN_USE',
  'WhatsApp number +14155550100 is already connected to an integration',
);

/** `/integrations`: admins connect and manage WhatsApp numbers (agents may list the active ones). */
export const INTEGRATION_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/integrations',
    tag: 'integrations',
    operationId: 'createIntegration',
    summary: 'Connect a WhatsApp number',
    description:
      'Either Zapdesk provisions everything (`mode: provision`: answered at once with status `pending`, then `active` or `error`, followed by `integration.updated` events) or the company brings its own Twilio account (`mode: existing`: the credentials are checked at once; `active`, or `error` with `config.lastError`).',
    auth: 'bearer',
    roles: ['admin'],
    request: {
      body: {
        contentType: 'application/json',
        schema: createIntegrationBody,
        examples: {
          provision: { summary: 'Provision a US number in area 415', value: { mode: 'provision', countryCode: 'US', areaCode: '415', friendlyName: 'Support' } },
          existing: {
            summary: "The company's own Twilio account",
            value: { mode: 'existing', accountSid: EXAMPLE.accountSid, authToken: '0123456789abcdef0123456789abcdef', whatsappNumber: EXAMPLE.whatsappNumber, friendlyName: 'Sales' },
          },
        },
      },
    },
    responses: { 201: one('The integration (provisioning continues in the background).'), 409: numberInUse },
  },
  {
    method: 'get',
    path: '/integrations',
    tag: 'integrations',
    operationId: 'listIntegrations',
    summary: "The company's integrations",
    description: "The company's integrations, newest first, in one page (`nextCursor` is null).",
    auth: 'bearer',
    roles: ['admin'],
    responses: { 200: { description: 'One page of integrations.', schema: integrationPage } },
  },
  {
    method: 'get',
    path: '/integrations/whatsapp',
    tag: 'integrations',
    operationId: 'listActiveWhatsAppIntegrations',
    summary: "The company's active WhatsApp integrations",
    description: "The company's `active` integrations, in one page (`nextCursor` is null).",
    auth: 'bearer',
    roles: ['admin', 'agent'],
    responses: { 200: { description: 'One page of active integrations.', schema: integrationPage } },
  },
  {
    method: 'get',
    path: '/integrations/{id}',
    tag: 'integrations',
    operationId: 'getIntegration',
    summary: 'One integration',
    auth: 'bearer',
    roles: ['admin'],
    request: { params: integrationId },
    responses: { 200: one('The integration.'), 404: missing },
  },
  {
    method: 'patch',
    path: '/integrations/{id}',
    tag: 'integrations',
    operationId: 'updateIntegration',
    summary: 'Rename, pause/resume, or tune an integration',
    auth: 'bearer',
    roles: ['admin'],
    request: {
      params: integrationId,
      body: {
        contentType: 'application/json',
        schema: updateIntegrationBody,
        examples: {
          pause: { summary: 'Pause it', value: { status: 'inactive' } },
          rename: { summary: 'Rename it and slow it down', value: { friendlyName: 'Night shift', sendRatePerSecond: 10 } },
        },
      },
    },
    responses: {
      200: one('The integration as changed.'),
      404: missing,
      409: errorResponse(
        'The status change is not allowed from the current status (`INTEGRATION.INVALID_TRANSITION`), or the integration is still being provisioned (`INTEGRATION.PROVISIONING`).',
        'INTEGRATION.INVALID_TRANSITION',
        'integration cannot go from error to inactive',
      ),
    },
  },
  {
    method: 'delete',
    path: '/integrations/{id}',
    tag: 'integrations',
    operationId: 'removeIntegration',
    summary: 'Remove an integration',
    description:
      'Releases the number and closes the subaccount where Zapdesk provisioned them (already released/closed counts as done, so a partly failed removal can be retried). The number is free again once this answers 204.',
    auth: 'bearer',
    roles: ['admin'],
    request: { params: integrationId },
    responses: {
      204: { description: 'Removed.' },
      404: missing,
    },
  },
  {
    method: 'post',
    path: '/integrations/{id}/validate',
    tag: 'integrations',
    operationId: 'validateIntegration',
    summary: 'Test the connection with Twilio now',
    description: 'Answers the resulting status and `config.lastError`: an `error` integration whose credentials Twilio now accepts becomes `active` again.',
    auth: 'bearer',
    roles: ['admin'],
    request: { params: integrationId },
    responses: {
      200: one('The integration after the check.'),
      404: missing,
      409: errorResponse('The integration is still being provisioned.', 'INTEGRATION.PROVISIONING', 'the integration is still being set up'),
    },
  },
  {
    method: 'post',
    path: '/integrations/{id}/webhook/sync',
    tag: 'integrations',
    operationId: 'syncIntegrationWebhook',
    summary: "Re-point the number's webhooks at Zapdesk",
    auth: 'bearer',
    roles: ['admin'],
    request: { params: integrationId },
    responses: {
      200: one('The integration, its webhook configured.'),
      404: missing,
      409: errorResponse(
        'The integration has no Twilio account yet (`INTEGRATION.NO_ACCOUNT`), or its number is not a phone number of its account (`INTEGRATION.NUMBER_NOT_IN_ACCOUNT`).',
        'INTEGRATION.NUMBER_NOT_IN_ACCOUNT',
        'the WhatsApp number is not a phone number of this Twilio account',
      ),
    },
  },
];
