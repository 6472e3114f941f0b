import { ApiRoute, errorResponse, notFound } from '../openapi/api-route';
import { EXAMPLE, idParams } from '../openapi/common.schemas';
import { listTemplatesQuery, templatePage } from './template.schemas';

/** `/integrations/{id}/templates`: the WhatsApp templates agents may send. */
export const TEMPLATE_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/integrations/{id}/templates',
    tag: 'integrations',
    operationId: 'listTemplates',
    summary: "The integration's WhatsApp templates",
    description:
      "The Content templates of the integration's Twilio account (Content API), each with its variables and sample values, its content types and its WhatsApp approval. Only `allowedOutsideWindow` (approved) templates may be sent more than 24 hours after the customer's last message. The list is cached per integration for TEMPLATE_CACHE_MS (60 s); `refresh=true` asks Twilio now.",
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { params: idParams('The integration.', EXAMPLE.integrationId), query: listTemplatesQuery },
    responses: {
      200: { description: 'Every template of the account, by friendly name.', schema: templatePage },
      404: notFound('integration', EXAMPLE.integrationId),
      409: errorResponse('The integration has no Twilio account yet (still provisioning).', 'INTEGRATION.NO_ACCOUNT', 'the integration has no Twilio account yet'),
      502: errorResponse(
        "Twilio refused the integration's credentials (`TEMPLATE.TWILIO_AUTH_FAILED`) or the listing (`TEMPLATE.CATALOGUE_FAILED`).",
        'TEMPLATE.TWILIO_AUTH_FAILED',
        "Twilio refused the integration's credentials while listing its templates; validate the integration",
      ),
      503: errorResponse("Twilio's Content API could not be reached or is busy.", 'TEMPLATE.CATALOGUE_UNAVAILABLE', "Twilio's Content API could not be reached or is busy; try again shortly"),
    },
  },
];
