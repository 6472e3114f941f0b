import { ApiRoute, errorResponse, notFound } from '../openapi/api-route';
import { EXAMPLE, idParams } from '../openapi/common.schemas';
import { integrationJson } from './integration.schemas';

/** `/integrations/{id}/rotate-token`: credential operations on a provisioned integration. */
export const INTEGRATION_OPERATION_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/integrations/{id}/rotate-token',
    tag: 'integrations',
    operationId: 'rotateIntegrationAuthToken',
    summary: "Rotate a provisioned subaccount's Twilio auth token",
    description:
      "Twilio's secondary-token flow: a secondary token is created and stored (encrypted); webhooks signed with the old or the new token are accepted while every instance picks it up (a few seconds); then it is promoted, and from then on webhooks signed with the old token are refused. The integration stays `active` throughout and the token never appears in the answer. Calling it again after an interruption resumes the rotation.",
    auth: 'bearer',
    roles: ['admin'],
    request: { params: idParams('The integration.', EXAMPLE.integrationId) },
    responses: {
      200: { description: 'The integration, now using the new token.', schema: integrationJson },
      404: notFound('integration', EXAMPLE.integrationId),
      409: errorResponse(
        'The integration was not provisioned by Zapdesk (`INTEGRATION.NOT_PROVISIONED`: rotate your own account\'s token in the Twilio console) or is still being provisioned (`INTEGRATION.PROVISIONING`).',
        'INTEGRATION.NOT_PROVISIONED',
        "only a provisioned integration's auth token can be rotated by Zapdesk; rotate your own account's token in the Twilio console",
      ),
    },
  },
];
