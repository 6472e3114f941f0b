import { TwilioApiError, type EmulatorResponse } from '../emulator-http';
import { iso8601, newAuthToken } from '../emulator-ids';
import { route, type Route, type RouteRequest } from '../emulator-router';

/**
 * Accounts v1 auth-token rotation, on the account whose credentials are presented:
 * POST /v1/AuthTokens/Secondary (create), DELETE /v1/AuthTokens/Secondary, POST /v1/AuthTokens/Promote.
 * While a secondary exists both tokens authenticate; webhooks stay signed with the primary,
 * and promotion makes the secondary the primary (the old primary stops working at once).
 */

const ACCOUNTS_URL = 'https://accounts.twilio.com';

function createSecondary(req: RouteRequest): EmulatorResponse {
  const account = req.caller;
  const now = new Date();
  // Twilio keeps one secondary per account: creating another replaces it.
  account.secondaryAuthToken = { token: newAuthToken(), dateCreated: now };
  account.dateUpdated = now;
  return {
    status: 201,
    json: {
      account_sid: account.sid,
      date_created: iso8601(now),
      date_updated: iso8601(now),
      secondary_auth_token: account.secondaryAuthToken.token,
      url: `${ACCOUNTS_URL}/v1/AuthTokens/Secondary`,
    },
  };
}

function deleteSecondary(req: RouteRequest): EmulatorResponse {
  const account = req.caller;
  if (!account.secondaryAuthToken) throw new TwilioApiError(404, 20404, 'The requested resource /v1/AuthTokens/Secondary was not found');
  account.secondaryAuthToken = null;
  account.dateUpdated = new Date();
  return { status: 204 };
}

function promote(req: RouteRequest): EmulatorResponse {
  const account = req.caller;
  const secondary = account.secondaryAuthToken;
  if (!secondary) throw new TwilioApiError(400, 20001, 'No secondary Auth Token to promote');
  const now = new Date();
  account.authToken = secondary.token;
  account.secondaryAuthToken = null;
  account.dateUpdated = now;
  return {
    status: 200,
    json: {
      account_sid: account.sid,
      auth_token: account.authToken,
      date_created: iso8601(secondary.dateCreated),
      date_updated: iso8601(now),
      url: `${ACCOUNTS_URL}/v1/AuthTokens/Promote`,
    },
  };
}

export const authTokenRoutes: readonly Route[] = [
  route('POST', '/v1/AuthTokens/Secondary', 'auth-tokens.secondary.create', createSecondary),
  route('DELETE', '/v1/AuthTokens/Secondary', 'auth-tokens.secondary.delete', deleteSecondary),
  route('POST', '/v1/AuthTokens/Promote', 'auth-tokens.promote', promote),
];
