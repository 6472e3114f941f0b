import { TwilioApiError, notFoundError, page2010, clampInt, type EmulatorResponse } from '../emulator-http';
import { isE164, rfc2822 } from '../emulator-ids';
import { route, type EmulatorContext, type Route, type RouteRequest } from '../emulator-router';
import type { InventoryNumber, NumberRecord } from '../emulator-state';

/** AvailablePhoneNumbers/{Country}/Local.json and IncomingPhoneNumbers[.json|/{Sid}.json]. */

export function incomingNumberJson(n: NumberRecord): Record<string, unknown> {
  return {
    account_sid: n.accountSid,
    address_sid: null,
    address_requirements: 'none',
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    date_created: rfc2822(n.dateCreated),
    date_updated: rfc2822(n.dateUpdated),
    friendly_name: n.friendlyName,
    identity_sid: null,
    phone_number: n.phoneNumber,
    origin: 'twilio',
    sid: n.sid,
    sms_application_sid: null,
    sms_fallback_method: n.smsFallbackMethod,
    sms_fallback_url: n.smsFallbackUrl ?? '',
    sms_method: n.smsMethod,
    sms_url: n.smsUrl ?? '',
    status_callback: n.statusCallback ?? '',
    status_callback_method: n.statusCallbackMethod,
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_receive_mode: 'voice',
    voice_application_sid: null,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: n.voiceMethod,
    voice_url: n.voiceUrl,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: 'local',
  };
}

export function availableNumberJson(n: InventoryNumber): Record<string, unknown> {
  return {
    friendly_name: formatFriendly(n.phoneNumber),
    phone_number: n.phoneNumber,
    lata: n.lata,
    locality: n.locality,
    rate_center: n.rateCenter,
    latitude: n.latitude,
    longitude: n.longitude,
    region: n.region,
    postal_code: n.postalCode,
    iso_country: n.isoCountry,
    address_requirements: 'none',
    beta: false,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
  };
}

function formatFriendly(phoneNumber: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  return us === null ? phoneNumber : `(${us[1]}) ${us[2]}-${us[3]}`;
}

function searchLocal(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const country = req.params['CountryCode'] ?? '';
  if (!ctx.state.isCountrySupported(country)) throw notFoundError(req.path);
  const areaCode = req.query.get('AreaCode');
  if (areaCode !== null && !/^\d{1,4}$/.test(areaCode)) {
    throw new TwilioApiError(400, 21452, `AreaCode is invalid: ${areaCode}`);
  }
  const pageSize = clampInt(req.query.get('PageSize'), 50, 1, 1000);
  const numbers = ctx.state.availableNumbers(country, areaCode ?? undefined, pageSize);
  return {
    status: 200,
    json: page2010(
      'available_phone_numbers',
      numbers.map(availableNumberJson),
      `/2010-04-01/Accounts/${req.account.sid}/AvailablePhoneNumbers/${country}/Local.json`,
      req.query,
    ),
  };
}

const HTTP_METHODS = ['GET', 'POST'];

/** Applies the writable webhook fields of a create/update request, validating as Twilio does. */
function applyConfig(number: NumberRecord, form: URLSearchParams): void {
  const url = (name: string): string | null | undefined => {
    const value = form.get(name);
    if (value === null) return undefined;
    if (value === '') return null;
    if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) {
      throw new TwilioApiError(400, 21502, `${name} is not valid: ${value}`);
    }
    return value;
  };
  const method = (name: string): string | undefined => {
    const value = form.get(name);
    if (value === null) return undefined;
    if (!HTTP_METHODS.includes(value.toUpperCase())) throw new TwilioApiError(400, 21501, `${name} is not valid: ${value}`);
    return value.toUpperCase();
  };
  const smsUrl = url('SmsUrl');
  const smsFallbackUrl = url('SmsFallbackUrl');
  const statusCallback = url('StatusCallback');
  const voiceUrl = url('VoiceUrl');
  const smsMethod = method('SmsMethod');
  const smsFallbackMethod = method('SmsFallbackMethod');
  const statusCallbackMethod = method('StatusCallbackMethod');
  const voiceMethod = method('VoiceMethod');
  if (smsUrl !== undefined) number.smsUrl = smsUrl;
  if (smsFallbackUrl !== undefined) number.smsFallbackUrl = smsFallbackUrl;
  if (statusCallback !== undefined) number.statusCallback = statusCallback;
  if (voiceUrl !== undefined) number.voiceUrl = voiceUrl;
  if (smsMethod !== undefined) number.smsMethod = smsMethod;
  if (smsFallbackMethod !== undefined) number.smsFallbackMethod = smsFallbackMethod;
  if (statusCallbackMethod !== undefined) number.statusCallbackMethod = statusCallbackMethod;
  if (voiceMethod !== undefined) number.voiceMethod = voiceMethod;
  const friendlyName = form.get('FriendlyName');
  if (friendlyName !== null) number.friendlyName = friendlyName;
  number.dateUpdated = new Date();
}

function buyNumber(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  let phoneNumber = req.form.get('PhoneNumber');
  const areaCode = req.form.get('AreaCode');
  if (phoneNumber === null && areaCode !== null) {
    phoneNumber = ctx.state.availableNumbers('US', areaCode, 1)[0]?.phoneNumber ?? null;
    if (phoneNumber === null) throw new TwilioApiError(400, 21452, `No numbers available in area code ${areaCode}`);
  }
  if (phoneNumber === null) throw new TwilioApiError(400, 21421, 'PhoneNumber or AreaCode is required');
  if (!isE164(phoneNumber)) throw new TwilioApiError(400, 21421, `PhoneNumber is invalid: ${phoneNumber}`);
  const taken = ctx.state.numberByPhone(phoneNumber) !== undefined || ctx.state.releasedNumbers.some((n) => n.phoneNumber === phoneNumber);
  if (taken) throw new TwilioApiError(400, 21422, 'PhoneNumber requested is not available');
  const number = ctx.state.ownNumber(req.account.sid, phoneNumber);
  applyConfig(number, req.form);
  return { status: 201, json: incomingNumberJson(number) };
}

function listNumbers(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const phoneNumber = req.query.get('PhoneNumber');
  const friendlyName = req.query.get('FriendlyName');
  const owned = [...ctx.state.numbers.values()].filter(
    (n) =>
      n.accountSid === req.account.sid &&
      (phoneNumber === null || n.phoneNumber.includes(phoneNumber.replace(/^\+/, ''))) &&
      (friendlyName === null || n.friendlyName === friendlyName),
  );
  const path = `/2010-04-01/Accounts/${req.account.sid}/IncomingPhoneNumbers.json`;
  return { status: 200, json: page2010('incoming_phone_numbers', owned.map(incomingNumberJson), path, req.query) };
}

function ownedNumber(req: RouteRequest, ctx: EmulatorContext): NumberRecord {
  const number = ctx.state.numbers.get(req.params['Sid'] ?? '');
  if (number === undefined || number.accountSid !== req.account.sid) throw notFoundError(req.path);
  return number;
}

function fetchNumber(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  return { status: 200, json: incomingNumberJson(ownedNumber(req, ctx)) };
}

function updateNumber(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const number = ownedNumber(req, ctx);
  const target = req.form.get('AccountSid');
  if (target !== null && target !== number.accountSid) {
    // Moving a number between accounts of the same master is allowed.
    const destination = ctx.state.accounts.get(target);
    if (destination === undefined || destination.ownerSid !== req.account.ownerSid || destination.status !== 'active') {
      throw new TwilioApiError(400, 21430, `AccountSid is not valid: ${target}`);
    }
  }
  applyConfig(number, req.form);
  if (target !== null) number.accountSid = target;
  return { status: 200, json: incomingNumberJson(number) };
}

function releaseNumber(req: RouteRequest, ctx: EmulatorContext): EmulatorResponse {
  const number = ownedNumber(req, ctx);
  ctx.state.numbers.delete(number.sid);
  ctx.state.releasedNumbers.push(number);
  return { status: 204 };
}

const A = { accountParam: 'AccountSid' };

export const phoneNumberRoutes: readonly Route[] = [
  route('GET', '/2010-04-01/Accounts/:AccountSid/AvailablePhoneNumbers/:CountryCode/Local.json', 'available-numbers.list', searchLocal, A),
  route('POST', '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers.json', 'numbers.create', buyNumber, A),
  route('GET', '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers.json', 'numbers.list', listNumbers, A),
  route('GET', '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json', 'numbers.fetch', fetchNumber, A),
  route('POST', '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json', 'numbers.update', updateNumber, A),
  route('DELETE', '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json', 'numbers.delete', releaseNumber, A),
];
