import { TwilioApiError, notFoundError, page2010, type EmulatorResponse } from '../emulator-http';
import { rfc2822 } from '../emulator-ids';
import { route, type EmulatorContext, type Route, type RouteRequest } from '../emulator-router';
import type { AccountRecord, AccountStatus } from '../emulator-state';

/** /2010-04-01/Accounts[.json|/{Sid}.json] and /Accounts/{Sid}/Balance.json. */

const base = (sid: string): string => `/2010-04-01/Accounts/${sid}`;

export function accountJson(account: AccountRecord): Record<string, unknown> {
  return {
    auth_token: account.authToken,
    date_created: rfc2822(account.dateCreated),
    date_updated: rfc2822(account.dateUpdated),
    friendly_name: account.friendlyName,
    owner_account_sid: account.ownerSid,
    sid: account.sid,
    status: account.status,
    subresource_uris: {
      available_phone_numbers: `${base(account.sid)}/AvailablePhoneNumbers.json`,
      balance: `${base(account.sid)}/Balance.json`,
      incoming_phone_numbers: `${base(account.sid)}/IncomingPhoneNumbers.json`,
      messages: `${base(account.sid)}/Messages.json`,
    },
    type: 'Full',
    uri: `${base(account.sid)}.json`,
  };
}

export function balanceJson(account: AccountRecord): Record<string, unknown> {
  return { account_sid: account.sid, balance: account.balance.toFixed(5), currency: account.currency };
}

function createAccount(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  if (req.caller.ownerSid !== req.caller.sid) {
    throw new TwilioApiError(403, 20403, 'Subaccounts cannot create subaccounts');
  }
  const friendlyName = req.form.get('FriendlyName') ?? `SubAccount Created at ${rfc2822(new Date())}`;
  const account = ctx.state.createAccount(friendlyName, req.caller.sid);
  return { status: 201, json: accountJson(account) };
}

function listAccounts(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const friendlyName = req.query.get('FriendlyName');
  const status = req.query.get('Status');
  const visible = [...ctx.state.accounts.values()].filter(
    (a) =>
      (a.sid === req.caller.sid || a.ownerSid === req.caller.sid) &&
      (friendlyName === null || a.friendlyName === friendlyName) &&
      (status === null || a.status === status),
  );
  return { status: 200, json: page2010('accounts', visible.map(accountJson), '/2010-04-01/Accounts.json', req.query) };
}

function fetchAccount(req: RouteRequest): EmulatorResponse {
  return { status: 200, json: accountJson(req.account) };
}

const STATUSES: readonly AccountStatus[] = ['active', 'suspended', 'closed'];

function updateAccount(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const account = req.account;
  const status = req.form.get('Status');
  const friendlyName = req.form.get('FriendlyName');
  if (status !== null && !STATUSES.includes(status as AccountStatus)) {
    throw new TwilioApiError(400, 20001, `Invalid Status: ${status}`);
  }
  if (account.status === 'closed') {
    // Closing is irreversible; closing again is a harmless no-op.
    if ((status !== null && status !== 'closed') || friendlyName !== null) {
      throw new TwilioApiError(400, 20005, 'Account not active: a closed account cannot be modified');
    }
    return { status: 200, json: accountJson(account) };
  }
  if (status === 'closed' && account.ownerSid === account.sid) {
    throw new TwilioApiError(400, 20403, 'A master account cannot be closed through the API');
  }
  if (friendlyName !== null) account.friendlyName = friendlyName;
  if (status !== null) account.status = status as AccountStatus;
  account.dateUpdated = new Date();
  if (account.status === 'closed') releaseEverything(account.sid, ctx);
  return { status: 200, json: accountJson(account) };
}

/** Twilio releases a closed subaccount's numbers; its senders go offline. */
function releaseEverything(accountSid: string, ctx: EmulatorContext): void {
  for (const number of [...ctx.state.numbers.values()]) {
    if (number.accountSid !== accountSid) continue;
    ctx.state.numbers.delete(number.sid);
    ctx.state.releasedNumbers.push(number);
  }
  for (const sender of ctx.state.senders.values()) {
    if (sender.accountSid === accountSid) sender.statusOverride = 'OFFLINE';
  }
}

function fetchBalance(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const account = ctx.state.accounts.get(req.account.sid);
  if (account === undefined) throw notFoundError(req.path);
  return { status: 200, json: balanceJson(account) };
}

export const accountRoutes: readonly Route[] = [
  route('POST', '/2010-04-01/Accounts.json', 'accounts.create', createAccount),
  route('GET', '/2010-04-01/Accounts.json', 'accounts.list', listAccounts),
  route('GET', '/2010-04-01/Accounts/:Sid.json', 'accounts.fetch', fetchAccount, { accountParam: 'Sid', allowClosedAccount: true }),
  route('POST', '/2010-04-01/Accounts/:Sid.json', 'accounts.update', updateAccount, { accountParam: 'Sid', allowClosedAccount: true }),
  route('GET', '/2010-04-01/Accounts/:AccountSid/Balance.json', 'balance.fetch', fetchBalance, { accountParam: 'AccountSid' }),
];
