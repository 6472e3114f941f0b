import { newAuthToken, newSid } from './emulator-ids';

/** In-memory Twilio: accounts, number inventory, owned numbers, senders, messages, media, logs. */

export type AccountStatus = 'active' | 'suspended' | 'closed';

export interface AccountRecord {
  readonly sid: string;
  /** The primary auth token: API authentication, and the token webhooks are signed with. */
  authToken: string;
  /**
   * The secondary auth token (Accounts v1 /AuthTokens/Secondary) while one exists: it
   * authenticates API requests too, but webhooks stay signed with the primary until it is promoted.
   */
  secondaryAuthToken?: { readonly token: string; readonly dateCreated: Date } | null;
  friendlyName: string;
  status: AccountStatus;
  /** The master account's SID; a master account owns itself. */
  readonly ownerSid: string;
  readonly dateCreated: Date;
  dateUpdated: Date;
  /** Balance in `currency`; subaccounts carry none (the master pays). */
  balance: number;
  readonly currency: string;
}

export interface NumberRecord {
  readonly sid: string;
  accountSid: string;
  readonly phoneNumber: string;
  friendlyName: string;
  smsUrl: string | null;
  smsMethod: string;
  smsFallbackUrl: string | null;
  smsFallbackMethod: string;
  statusCallback: string | null;
  statusCallbackMethod: string;
  voiceUrl: string | null;
  voiceMethod: string;
  readonly dateCreated: Date;
  dateUpdated: Date;
}

export interface SenderRecord {
  readonly sid: string;
  readonly accountSid: string;
  readonly senderId: string;
  readonly createdAt: number;
  profile: Record<string, unknown>;
  webhook: Record<string, unknown>;
  configuration: Record<string, unknown>;
  /** Set by tests (`setSenderStatus`) or by an update; else derived from the online delay. */
  statusOverride?: string;
}

/** A Content API template's WhatsApp approval (`unsubmitted` until one is requested). */
export interface ContentApprovalRecord {
  /** unsubmitted, received, pending, approved, rejected, paused, disabled. */
  status: string;
  name: string;
  category: string;
  rejectionReason: string;
}

/** A Content API template (`HX...`) of one account. */
export interface ContentRecord {
  readonly sid: string;
  readonly accountSid: string;
  friendlyName: string;
  language: string;
  /** Variable name → sample value, e.g. `{"1": "Ana"}`. */
  variables: Record<string, string>;
  /** Content type → its definition, e.g. `{"twilio/text": {"body": "Hi {{1}}"}}`. */
  types: Record<string, unknown>;
  whatsappApproval: ContentApprovalRecord;
  readonly dateCreated: Date;
  dateUpdated: Date;
}

/** What a test (or the demo) gives to add a template; a SID is generated unless given. */
export interface ContentTemplateInput {
  readonly sid?: string;
  readonly friendlyName: string;
  readonly language?: string;
  readonly variables?: Record<string, string>;
  readonly types: Record<string, unknown>;
  /** Default `approved`. */
  readonly approvalStatus?: string;
  readonly rejectionReason?: string;
  readonly category?: string;
}

export type MessageDirection = 'inbound' | 'outbound-api';

export interface MessageRecord {
  readonly sid: string;
  readonly accountSid: string;
  readonly direction: MessageDirection;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly contentSid: string | null;
  readonly contentVariables: string | null;
  readonly statusCallback: string | null;
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
  readonly numSegments: number;
  readonly numMedia: number;
  price: string | null;
  readonly dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

export interface MediaRecord {
  readonly sid: string;
  readonly accountSid: string;
  readonly messageSid: string;
  readonly contentType: string;
  readonly bytes: Buffer;
  readonly dateCreated: Date;
}

/** One accepted outbound send, in arrival order (for rate and ordering assertions). */
export interface SentMessageLog {
  readonly sid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly body: string | null;
  readonly contentSid: string | null;
  readonly contentVariables: string | null;
  readonly statusCallback: string | null;
  /** `Date.now()` when the request reached the emulator. */
  readonly receivedAt: number;
}

/** One MediaUrl the emulator fetched for an outbound message, as Twilio does when the message is created. */
export interface FetchedMediaLog {
  readonly messageSid: string;
  readonly url: string;
  /** HTTP status, or null when the request failed (network, timeout). */
  readonly status: number | null;
  readonly contentType: string | null;
  readonly bytes: number;
  /** SHA-256 (hex) of the body. */
  readonly sha256: string;
  readonly at: number;
}

/** One webhook the emulator POSTed (inbound message or status callback). */
export interface WebhookLog {
  readonly kind: 'inbound' | 'status';
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  readonly status: number | undefined;
  readonly error?: string;
  readonly at: number;
}

/** A signed, short-lived CDN link to a media item, as Twilio's media URL redirects to. */
export interface CdnLink {
  readonly mediaSid: string;
  readonly expiresAt: number;
}

/** One request to the emulated media CDN (no credentials needed, none expected). */
export interface CdnRequestLog {
  readonly path: string;
  /** The media served, when the link was valid. */
  readonly mediaSid: string | undefined;
  readonly status: number;
  /** Whether the client sent an Authorization header (it should not: credentials are Twilio's, not the CDN's). */
  readonly authorization: boolean;
  readonly at: number;
}

/** One REST request the emulator answered. */
export interface RequestLog {
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly accountSid: string | undefined;
  readonly status: number;
  readonly at: number;
}

export interface InventoryNumber {
  readonly phoneNumber: string;
  readonly isoCountry: string;
  readonly locality: string;
  readonly region: string;
  readonly postalCode: string;
  readonly rateCenter: string;
  readonly lata: string | null;
  readonly latitude: number;
  readonly longitude: number;
}

interface CountryPlan {
  readonly callingCode: string;
  readonly defaultAreaCode: string;
  readonly locality: string;
  readonly region: string;
  readonly postalCode: string;
  readonly lata: string | null;
  readonly latitude: number;
  readonly longitude: number;
}

/** Countries the number search knows; numbers are `+{cc}{area}555{nnnn}`, 9900 per area code. */
const COUNTRIES: Readonly<Record<string, CountryPlan>> = {
  US: { callingCode: '1', defaultAreaCode: '415', locality: 'San Francisco', region: 'CA', postalCode: '94103', lata: '722', latitude: 37.7749, longitude: -122.4194 },
  CA: { callingCode: '1', defaultAreaCode: '604', locality: 'Vancouver', region: 'BC', postalCode: 'V5K', lata: '888', latitude: 49.2827, longitude: -123.1207 },
  BR: { callingCode: '55', defaultAreaCode: '11', locality: 'Sao Paulo', region: 'SP', postalCode: '01000', lata: null, latitude: -23.5505, longitude: -46.6333 },
  GB: { callingCode: '44', defaultAreaCode: '20', locality: 'London', region: 'LND', postalCode: 'EC1A', lata: null, latitude: 51.5072, longitude: -0.1276 },
  MX: { callingCode: '52', defaultAreaCode: '55', locality: 'Mexico City', region: 'CDMX', postalCode: '06000', lata: null, latitude: 19.4326, longitude: -99.1332 },
  PT: { callingCode: '351', defaultAreaCode: '21', locality: 'Lisboa', region: 'LI', postalCode: '1000', lata: null, latitude: 38.7223, longitude: -9.1393 },
};

export interface EmulatorStateOptions {
  readonly senderOnlineDelayMs: number;
  readonly master: { readonly sid: string; readonly token: string };
  readonly masterBalance?: number;
}

export class EmulatorState {
  readonly accounts = new Map<string, AccountRecord>();
  /** Owned IncomingPhoneNumbers by PN SID. */
  readonly numbers = new Map<string, NumberRecord>();
  readonly releasedNumbers: NumberRecord[] = [];
  readonly senders = new Map<string, SenderRecord>();
  /** Content API templates by HX SID. */
  readonly contents = new Map<string, ContentRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly media = new Map<string, MediaRecord>();
  readonly sentMessages: SentMessageLog[] = [];
  readonly fetchedMedia: FetchedMediaLog[] = [];
  readonly webhooks: WebhookLog[] = [];
  readonly requests: RequestLog[] = [];
  /** CDN links by token; the media route redirects to them. */
  readonly cdnLinks = new Map<string, CdnLink>();
  readonly cdnRequests: CdnRequestLog[] = [];
  /** Sends already failed on purpose by the fail marker (account, recipient, body). */
  readonly failedOnce = new Set<string>();
  readonly masterSid: string;
  senderOnlineDelayMs: number;

  constructor(options: EmulatorStateOptions) {
    this.senderOnlineDelayMs = options.senderOnlineDelayMs;
    this.masterSid = options.master.sid;
    const now = new Date();
    this.accounts.set(options.master.sid, {
      sid: options.master.sid,
      authToken: options.master.token,
      friendlyName: 'Zapdesk master (emulated)',
      status: 'active',
      ownerSid: options.master.sid,
      dateCreated: now,
      dateUpdated: now,
      balance: options.masterBalance ?? 20,
      currency: 'USD',
    });
  }

  /** Creates a subaccount of `ownerSid` (default: the master), or a new master when `ownerSid` is `null`. */
  createAccount(friendlyName: string, ownerSid: string | null = this.masterSid): AccountRecord {
    const sid = newSid('AC');
    const now = new Date();
    const record: AccountRecord = {
      sid,
      authToken: newAuthToken(),
      friendlyName,
      status: 'active',
      ownerSid: ownerSid ?? sid,
      dateCreated: now,
      dateUpdated: now,
      balance: ownerSid === null ? 20 : 0,
      currency: 'USD',
    };
    this.accounts.set(sid, record);
    return record;
  }

  /** The account that pays for `accountSid` (its master). */
  payerOf(accountSid: string): AccountRecord | undefined {
    const account = this.accounts.get(accountSid);
    return account === undefined ? undefined : this.accounts.get(account.ownerSid);
  }

  setBalance(accountSid: string, balance: number): void {
    const account = this.accounts.get(accountSid);
    if (account === undefined) throw new Error(`unknown account ${accountSid}`);
    account.balance = balance;
  }

  numberByPhone(phoneNumber: string): NumberRecord | undefined {
    for (const number of this.numbers.values()) if (number.phoneNumber === phoneNumber) return number;
    return undefined;
  }

  /** Gives `accountSid` a number directly (an "existing" account's number), bypassing search and purchase. */
  ownNumber(accountSid: string, phoneNumber: string, config: Partial<Pick<NumberRecord, 'smsUrl' | 'smsMethod' | 'smsFallbackUrl' | 'statusCallback' | 'friendlyName'>> = {}): NumberRecord {
    if (this.numberByPhone(phoneNumber) !== undefined) throw new Error(`${phoneNumber} is already owned`);
    const now = new Date();
    const record: NumberRecord = {
      sid: newSid('PN'),
      accountSid,
      phoneNumber,
      friendlyName: config.friendlyName ?? phoneNumber,
      smsUrl: config.smsUrl ?? null,
      smsMethod: config.smsMethod ?? 'POST',
      smsFallbackUrl: config.smsFallbackUrl ?? null,
      smsFallbackMethod: 'POST',
      statusCallback: config.statusCallback ?? null,
      statusCallbackMethod: 'POST',
      voiceUrl: null,
      voiceMethod: 'POST',
      dateCreated: now,
      dateUpdated: now,
    };
    this.numbers.set(record.sid, record);
    return record;
  }

  isCountrySupported(isoCountry: string): boolean {
    return COUNTRIES[isoCountry] !== undefined;
  }

  /** Numbers for sale: generated per country and area code, skipping owned and recently released ones. */
  availableNumbers(isoCountry: string, areaCode: string | undefined, limit: number): InventoryNumber[] {
    const plan = COUNTRIES[isoCountry];
    if (plan === undefined) return [];
    const area = areaCode ?? plan.defaultAreaCode;
    const taken = new Set<string>([...this.numbers.values(), ...this.releasedNumbers].map((n) => n.phoneNumber));
    const result: InventoryNumber[] = [];
    for (let line = 100; line <= 9999 && result.length < limit; line += 1) {
      const phoneNumber = `+${plan.callingCode}${area}555${String(line).padStart(4, '0')}`;
      if (taken.has(phoneNumber)) continue;
      result.push({
        phoneNumber,
        isoCountry,
        locality: plan.locality,
        region: plan.region,
        postalCode: plan.postalCode,
        rateCenter: plan.locality.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 10),
        lata: plan.lata,
        latitude: plan.latitude,
        longitude: plan.longitude,
      });
    }
    return result;
  }

  senderStatus(sender: SenderRecord, now = Date.now()): string {
    if (sender.statusOverride !== undefined) return sender.statusOverride;
    return now - sender.createdAt >= this.senderOnlineDelayMs ? 'ONLINE' : 'CREATING';
  }

  setSenderStatus(senderSid: string, status: string): void {
    const sender = this.senders.get(senderSid);
    if (sender === undefined) throw new Error(`unknown sender ${senderSid}`);
    sender.statusOverride = status;
  }

  /** Adds a Content template to `accountSid` (replacing one with the same SID). */
  addContent(accountSid: string, input: ContentTemplateInput): ContentRecord {
    if (!this.accounts.has(accountSid)) throw new Error(`unknown account ${accountSid}`);
    const now = new Date();
    const status = input.approvalStatus ?? 'approved';
    const record: ContentRecord = {
      sid: input.sid ?? newSid('HX'),
      accountSid,
      friendlyName: input.friendlyName,
      language: input.language ?? 'en',
      variables: { ...(input.variables ?? {}) },
      types: { ...input.types },
      whatsappApproval: {
        status,
        name: status === 'unsubmitted' ? '' : input.friendlyName.toLowerCase().replace(/[^a-z0-9_]+/g, '_'),
        category: status === 'unsubmitted' ? '' : (input.category ?? 'UTILITY'),
        rejectionReason: input.rejectionReason ?? '',
      },
      dateCreated: now,
      dateUpdated: now,
    };
    this.contents.set(record.sid, record);
    return record;
  }

  /** Sets a template's WhatsApp approval status (as Meta's review would). */
  setContentApproval(contentSid: string, status: string, rejectionReason = ''): void {
    const content = this.contents.get(contentSid);
    if (content === undefined) throw new Error(`unknown content ${contentSid}`);
    content.whatsappApproval = { ...content.whatsappApproval, status, rejectionReason };
    content.dateUpdated = new Date();
  }

  /** Quick numbers for assertions. */
  counts(): { accounts: number; activeSubaccounts: number; numbers: number; senders: number; messages: number; sentMessages: number; webhooks: number } {
    const subaccounts = [...this.accounts.values()].filter((a) => a.ownerSid !== a.sid && a.status === 'active');
    return {
      accounts: this.accounts.size,
      activeSubaccounts: subaccounts.length,
      numbers: this.numbers.size,
      senders: this.senders.size,
      messages: this.messages.size,
      sentMessages: this.sentMessages.length,
      webhooks: this.webhooks.length,
    };
  }
}
