import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { IncomingPhoneNumberInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message';
import type { MessagingV2ChannelsSenderRequestsCreate } from 'twilio/lib/rest/messaging/v2/channelsSender';
import {
  CONNECTION_OVERRIDE_FRAGMENT,
  INBOUND_WEBHOOK_PATH,
  TwilioGatewayError,
  type AccountInfo,
  type AvailableNumber,
  type Balance,
  type MediaContent,
  type NumberConfig,
  type OutboundMessageRequest,
  type PurchasedNumber,
  type SentMessage,
  type SubAccount,
  type TwilioCredentials,
  type TwilioGateway,
  type TwilioMessageLookup,
  type WebhookTarget,
  type WhatsAppSender,
} from '../../application/ports/twilio-gateway.port';
import { LruCache } from './twilio-client.cache';
import { toTwilioGatewayError } from './twilio-error.mapper';
import { TwilioMediaFetcher } from './twilio-media-fetcher';
import { TwilioRequestClient } from './twilio-request-client';

export interface TwilioSdkGatewayOptions {
  /** TWILIO_API_URL: every REST call goes there, keeping Twilio's paths; undefined = real Twilio. */
  readonly apiUrl?: string;
  /** Per-request timeout; default 10000. */
  readonly timeoutMs?: number;
  /** SDK clients kept (one per account SID and token); default 500. */
  readonly maxCachedClients?: number;
  /** Waits before retrying a media 404 (not stored by Twilio yet); default 250, 500, 1000 ms. */
  readonly mediaNotReadyRetryDelaysMs?: readonly number[];
}

type SdkClient = twilio.Twilio;

const WHATSAPP = 'whatsapp:';
const withWhatsApp = (number: string): string => (number.startsWith(WHATSAPP) ? number : `${WHATSAPP}${number}`);
const withoutWhatsApp = (address: string): string => (address.startsWith(WHATSAPP) ? address.slice(WHATSAPP.length) : address);
/** Twilio answers "" for an unset URL; the port says null. */
const orNull = (value: string | null | undefined): string | null => (value === undefined || value === null || value === '' ? null : value);
/** The SDK types dates as Date but passes null (and unparsable strings) through. */
const asDate = (value: unknown): Date | null => (value instanceof Date ? value : null);

/** The TwilioGateway port on the official `twilio` SDK. */
export class TwilioSdkGateway implements TwilioGateway {
  private readonly httpClient: TwilioRequestClient;
  private readonly clients: LruCache<string, SdkClient>;
  private readonly media: TwilioMediaFetcher;

  constructor(options: TwilioSdkGatewayOptions = {}) {
    // One HTTP client (one connection pool) shared by every cached SDK client.
    this.httpClient = new TwilioRequestClient({
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
    });
    this.clients = new LruCache(options.maxCachedClients ?? 500);
    // Media bypass the SDK (it buffers bodies and would follow redirects with the credentials).
    this.media = new TwilioMediaFetcher({
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
      ...(options.mediaNotReadyRetryDelaysMs === undefined ? {} : { notReadyRetryDelaysMs: options.mediaNotReadyRetryDelaysMs }),
    });
  }

  createSubAccount(master: TwilioCredentials, friendlyName: string): Promise<SubAccount> {
    return this.call('createSubAccount', master, async (client) => {
      const account = await client.api.v2010.accounts.create({ friendlyName });
      return {
        accountSid: account.sid,
        authToken: account.authToken,
        friendlyName: account.friendlyName,
        status: account.status,
      };
    });
  }

  closeSubAccount(master: TwilioCredentials, subAccountSid: string): Promise<void> {
    return this.call('closeSubAccount', master, async (client) => {
      await client.api.v2010.accounts(subAccountSid).update({ status: 'closed' });
    });
  }

  findSubAccountByName(master: TwilioCredentials, friendlyName: string): Promise<SubAccount | null> {
    return this.call('findSubAccountByName', master, async (client) => {
      const accounts = await client.api.v2010.accounts.list({ friendlyName, status: 'active', limit: 50 });
      // The list includes the master itself; only a subaccount with exactly this name counts.
      const sub = accounts.find((a) => a.sid !== master.accountSid && a.friendlyName === friendlyName && a.status === 'active');
      return sub === undefined
        ? null
        : { accountSid: sub.sid, authToken: sub.authToken, friendlyName: sub.friendlyName, status: sub.status };
    });
  }

  listOwnedNumbers(account: TwilioCredentials): Promise<PurchasedNumber[]> {
    return this.call('listOwnedNumbers', account, async (client) => {
      const numbers = await client.incomingPhoneNumbers.list({ limit: 1000 });
      return numbers.map((n) => ({ sid: n.sid, phoneNumber: n.phoneNumber }));
    });
  }

  searchAvailableNumbers(account: TwilioCredentials, countryCode: string, areaCode: string | undefined, limit: number): Promise<AvailableNumber[]> {
    return this.call('searchAvailableNumbers', account, async (client) => {
      if (areaCode !== undefined && !/^\d{1,5}$/.test(areaCode)) {
        throw new TwilioGatewayError('permanent', undefined, undefined, `searchAvailableNumbers: invalid area code ${areaCode}`);
      }
      const found = await client.availablePhoneNumbers(countryCode.toUpperCase()).local.list({
        ...(areaCode === undefined ? {} : { areaCode: Number(areaCode) }),
        smsEnabled: true,
        limit,
      });
      return found.map((n) => ({ phoneNumber: n.phoneNumber }));
    });
  }

  buyNumber(account: TwilioCredentials, phoneNumber: string, friendlyName?: string): Promise<PurchasedNumber> {
    return this.call('buyNumber', account, async (client) => {
      const number = await client.incomingPhoneNumbers.create({
        phoneNumber,
        ...(friendlyName === undefined ? {} : { friendlyName }),
      });
      return { sid: number.sid, phoneNumber: number.phoneNumber };
    });
  }

  findNumber(account: TwilioCredentials, phoneNumber: string): Promise<PurchasedNumber | null> {
    return this.call('findNumber', account, async (client) => {
      // Twilio's PhoneNumber filter also matches partially: keep the exact one.
      const numbers = await client.incomingPhoneNumbers.list({ phoneNumber, limit: 50 });
      const exact = numbers.find((n) => n.phoneNumber === phoneNumber);
      return exact === undefined ? null : { sid: exact.sid, phoneNumber: exact.phoneNumber };
    });
  }

  configureWebhook(account: TwilioCredentials, numberSid: string, target: WebhookTarget): Promise<NumberConfig> {
    return this.call('configureWebhook', account, async (client) => {
      const webhookUrl = `${target.apiUrl.replace(/\/+$/, '')}${INBOUND_WEBHOOK_PATH}`;
      // The fragment makes Twilio retry 5xx/timeouts on SmsUrl; the fallback gets one more try.
      // StatusCallback stays as it is unless asked (outbound messages carry their own).
      const number = await client.incomingPhoneNumbers(numberSid).update({
        smsUrl: `${webhookUrl}${CONNECTION_OVERRIDE_FRAGMENT}`,
        smsMethod: target.method,
        smsFallbackUrl: webhookUrl,
        smsFallbackMethod: target.method,
        ...(target.statusCallbackUrl === undefined ? {} : { statusCallback: target.statusCallbackUrl, statusCallbackMethod: 'POST' }),
      });
      return toNumberConfig(number);
    });
  }

  fetchNumberConfig(account: TwilioCredentials, numberSid: string): Promise<NumberConfig> {
    return this.call('fetchNumberConfig', account, async (client) => toNumberConfig(await client.incomingPhoneNumbers(numberSid).fetch()));
  }

  releaseNumber(account: TwilioCredentials, numberSid: string): Promise<void> {
    return this.call('releaseNumber', account, async (client) => {
      await client.incomingPhoneNumbers(numberSid).remove();
    });
  }

  registerWhatsAppSender(account: TwilioCredentials, phoneNumber: string, profileName: string): Promise<WhatsAppSender> {
    return this.call('registerWhatsAppSender', account, async (client) => {
      // twilio@6 sends this object as the JSON body verbatim, and the API wants snake_case
      // (`sender_id`), while the SDK's request type is camelCase: hence the cast.
      const body = { sender_id: withWhatsApp(phoneNumber), profile: { name: profileName } };
      const sender = await client.messaging.v2.channelsSenders.create(body as unknown as MessagingV2ChannelsSenderRequestsCreate);
      return { sid: sender.sid, senderId: sender.senderId, status: sender.status };
    });
  }

  fetchSenderStatus(account: TwilioCredentials, senderSid: string): Promise<WhatsAppSender> {
    return this.call('fetchSenderStatus', account, async (client) => {
      const sender = await client.messaging.v2.channelsSenders(senderSid).fetch();
      return { sid: sender.sid, senderId: sender.senderId, status: sender.status };
    });
  }

  fetchAccount(account: TwilioCredentials): Promise<AccountInfo> {
    return this.call('fetchAccount', account, async (client) => {
      const fetched = await client.api.v2010.accounts(account.accountSid).fetch();
      return { sid: fetched.sid, friendlyName: fetched.friendlyName, status: fetched.status };
    });
  }

  fetchBalance(account: TwilioCredentials): Promise<Balance> {
    return this.call('fetchBalance', account, async (client) => {
      const balance = await client.balance.fetch();
      return { accountSid: balance.accountSid, balance: Number(balance.balance), currency: balance.currency };
    });
  }

  createSecondaryAuthToken(account: TwilioCredentials): Promise<string> {
    return this.call('createSecondaryAuthToken', account, async (client) => (await client.accounts.v1.secondaryAuthToken().create()).secondaryAuthToken);
  }

  promoteSecondaryAuthToken(account: TwilioCredentials): Promise<string> {
    return this.call('promoteSecondaryAuthToken', account, async (client) => (await client.accounts.v1.authTokenPromotion().update()).authToken);
  }

  deleteSecondaryAuthToken(account: TwilioCredentials): Promise<void> {
    return this.call('deleteSecondaryAuthToken', account, async (client) => {
      await client.accounts.v1.secondaryAuthToken().remove();
    });
  }

  sendMessage(account: TwilioCredentials, request: OutboundMessageRequest): Promise<SentMessage> {
    return this.call('sendMessage', account, async (client) => {
      const params: MessageListInstanceCreateOptions = {
        from: withWhatsApp(request.from),
        to: withWhatsApp(request.to),
        statusCallback: request.statusCallback,
      };
      if (request.contentSid !== undefined) {
        params.contentSid = request.contentSid;
        if (request.contentVariables !== undefined) params.contentVariables = JSON.stringify(request.contentVariables);
      } else if (request.body !== undefined && request.body !== '') {
        params.body = request.body;
      }
      if (request.mediaUrl !== undefined && request.mediaUrl.length > 0) params.mediaUrl = [...request.mediaUrl];
      const message = await client.messages.create(params);
      return { sid: message.sid, status: message.status, dateCreated: asDate(message.dateCreated) };
    });
  }

  fetchMessage(account: TwilioCredentials, messageSid: string): Promise<SentMessage & { errorCode: number | null }> {
    return this.call('fetchMessage', account, async (client) => {
      const message = await client.messages(messageSid).fetch();
      return {
        sid: message.sid,
        status: message.status,
        dateCreated: asDate(message.dateCreated),
        errorCode: typeof message.errorCode === 'number' ? message.errorCode : null,
      };
    });
  }

  listMessages(
    account: TwilioCredentials,
    lookup: TwilioMessageLookup,
  ): Promise<ReadonlyArray<SentMessage & { to: string; from: string; body: string | null }>> {
    return this.call('listMessages', account, async (client) => {
      const messages = await client.messages.list({
        from: withWhatsApp(lookup.from),
        to: withWhatsApp(lookup.to),
        dateSentAfter: lookup.sentAfter,
        limit: 200,
      });
      return messages
        .filter((m) => {
          // A queued message has no date_sent yet; judge it by its creation date.
          const at = asDate(m.dateSent) ?? asDate(m.dateCreated);
          return at === null || at.getTime() >= lookup.sentAfter.getTime();
        })
        .map((m) => ({
          sid: m.sid,
          status: m.status,
          dateCreated: asDate(m.dateCreated),
          to: withoutWhatsApp(m.to),
          from: withoutWhatsApp(m.from),
          body: m.body ?? null,
        }));
    });
  }

  openMedia(account: TwilioCredentials, mediaUrl: string): Promise<MediaContent> {
    return this.media.open(account, mediaUrl);
  }

  private async call<T>(operation: string, credentials: TwilioCredentials, run: (client: SdkClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.client(credentials));
    } catch (error: unknown) {
      throw toTwilioGatewayError(error, operation, [credentials.authToken]);
    }
  }

  private client(credentials: TwilioCredentials): SdkClient {
    // Key by a hash so the cache's keys hold no clear token (the SDK client itself must).
    const key = `${credentials.accountSid}:${createHash('sha256').update(credentials.authToken).digest('base64url')}`;
    return this.clients.getOrCreate(
      key,
      () => new twilio.Twilio(credentials.accountSid, credentials.authToken, { httpClient: this.httpClient }),
    );
  }
}

function toNumberConfig(number: IncomingPhoneNumberInstance): NumberConfig {
  return {
    sid: number.sid,
    phoneNumber: number.phoneNumber,
    smsUrl: orNull(number.smsUrl),
    smsMethod: orNull(number.smsMethod),
    smsFallbackUrl: orNull(number.smsFallbackUrl),
    statusCallback: orNull(number.statusCallback),
  };
}
