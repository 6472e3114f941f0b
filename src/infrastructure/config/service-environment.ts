import { DEFAULT_DELIVERY_SETTINGS, DeliverySettings } from '../../application/delivery/delivery-settings';
import { Keyring, parseKeyring } from '../crypto/aes-gcm-secret-cipher';
import { dataDirectory } from './data-directory';
import { DEVELOPMENT_SECRET_FILES, developmentSecret } from './development-secrets';
import { OperationsSettings, readOperationsSettings } from './operations-settings';

/** Outbound delivery tunables (DELIVERY_*). */
export interface DeliveryEnvironment extends DeliverySettings {
  readonly pollIntervalMs: number;
  /** Tickets one instance delivers in parallel. */
  readonly concurrency: number;
  /** Pacing room per 1-second window of the per-number rate limit. */
  readonly rateGuardMs: number;
  /** How often the delivery queue is checked against the messages collection (a full read: rarely). */
  readonly queueSweepMs: number;
}

/** Everything the service reads from the environment, checked once at start. */
export interface ServiceEnvironment {
  readonly production: boolean;
  readonly port: number;
  /** Null means "http://localhost:<actual port>", known only once the server listens. */
  readonly apiUrl: string | null;
  readonly mongodbUri: string | null;
  readonly jwtSecret: string;
  readonly keyring: Keyring;
  readonly activeKeyId: string;
  readonly masterAccount: { accountSid: string; authToken: string } | null;
  readonly whatsappNumber: string | null;
  readonly twilioApiUrl: string | null;
  readonly senderPollIntervalMs: number;
  /** How long an integration's Content template list is reused (TEMPLATE_CACHE_MS); 0: always ask Twilio. */
  readonly templateCacheMs: number;
  /** Notes for the operator about development values (never the values themselves). */
  readonly warnings: readonly string[];
  /** Whether JWT_SECRET comes from the data folder (development) rather than the environment. */
  readonly developmentJwtSecret: boolean;
  readonly delivery: DeliveryEnvironment;
  /** Real-time: EVENT_LOG_*, SSE_HEARTBEAT_MS, SSE_RETRY_MS. */
  readonly realtime: RealtimeSettings;
  /** Filing accepted inbound messages on their tickets: INBOUND_FILING_*. */
  readonly inboundFiling: InboundFilingSettings;
  /** The integration monitor: MONITOR_INTERVAL_MS, BALANCE_ALERT_THRESHOLD. */
  readonly monitor: MonitorSettings;
  /** The embedded Twilio emulator (no Twilio account configured): EMULATOR_PORT, EMULATOR_STEP_DELAY_MS. */
  readonly emulator: { readonly port: number; readonly stepDelayMs: number };
  /** `/metrics` access and graceful shutdown: METRICS_TOKEN, SHUTDOWN_GRACE_MS. */
  readonly operations: OperationsSettings;
  /** Deleting attachments uploaded and never sent: ATTACHMENT_SWEEP_INTERVAL_MS, UNSENT_ATTACHMENT_TTL_MS. */
  readonly attachmentSweep: AttachmentSweepSettings;
}

export interface AttachmentSweepSettings {
  /** How often one instance looks for unsent attachments (a scan: rarely). */
  readonly intervalMs: number;
  /** Age past which a file uploaded first and not used by a reply is deleted. */
  readonly unsentTtlMs: number;
}

export interface MonitorSettings {
  /** How often one instance checks every active and error integration against Twilio. */
  readonly intervalMs: number;
  /** Balance (in the account's currency) below which admins are alerted, unless an integration sets its own. */
  readonly balanceAlertThreshold: number;
}

export interface InboundFilingSettings {
  readonly concurrency: number;
  readonly unfiledAfterMs: number;
  readonly sweepBatch: number;
  readonly sweepEveryMs: number;
}

export interface RealtimeSettings {
  /** Entries the event log keeps at most (bounds how far back Last-Event-ID can replay). */
  readonly eventLogMaxEntries: number;
  /** Entries older than this are trimmed, whatever their number. */
  readonly eventLogMaxAgeMs: number;
  /** How often an instance trims the log. */
  readonly eventLogTrimEveryMs: number;
  /** auto: change stream where the server has them, else polling. */
  readonly tailMode: 'auto' | 'change-stream' | 'poll';
  /** Poll interval (polling), or pause after an empty change-stream answer that came at once. */
  readonly tailPollIntervalMs: number;
  readonly sseHeartbeatMs: number;
  readonly sseRetryMs: number;
}

export class EnvironmentError extends Error {}

export function readServiceEnvironment(env: NodeJS.ProcessEnv = process.env): ServiceEnvironment {
  const production = env.NODE_ENV === 'production';
  const warnings: string[] = [];
  const missing: string[] = [];
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvironmentError('PORT must be a port number');

  const apiUrl = env.API_URL ? env.API_URL.replace(/\/+$/, '') : null;
  if (apiUrl && !/^https?:\/\/[^\s]+$/.test(apiUrl)) throw new EnvironmentError('API_URL must be an http(s) URL');

  if (production) {
    if (!env.MONGODB_URI) missing.push('MONGODB_URI');
    if (!env.JWT_SECRET) missing.push('JWT_SECRET');
    if (!env.ENCRYPTION_KEYS) missing.push('ENCRYPTION_KEYS');
    if (!env.TWILIO_ACCOUNT_SID) missing.push('TWILIO_ACCOUNT_SID');
    if (!env.TWILIO_AUTH_TOKEN) missing.push('TWILIO_AUTH_TOKEN');
    if (!apiUrl || !apiUrl.startsWith('https://')) missing.push('API_URL (https://...)');
    if (missing.length > 0) throw new EnvironmentError(`NODE_ENV=production needs: ${missing.join(', ')}`);
  }

  // Development: secrets generated once and kept in the data folder, so tokens and stored
  // credentials stay valid across restarts (production requires both, above).
  const dataDir = dataDirectory(env);
  let jwtSecret = env.JWT_SECRET ?? '';
  const developmentJwtSecret = !jwtSecret;
  if (developmentJwtSecret) {
    const secret = developmentSecret(dataDir, 'jwtSecret');
    jwtSecret = secret.value;
    warnings.push(`JWT_SECRET is not set: using the development secret ${secret.created ? 'generated into' : 'kept in'} the data folder (${DEVELOPMENT_SECRET_FILES.jwtSecret}); \`npm run token\` mints tokens with it`);
  }

  let keysText = env.ENCRYPTION_KEYS ?? '';
  if (!keysText) {
    const keys = developmentSecret(dataDir, 'encryptionKeys');
    keysText = keys.value;
    warnings.push(`ENCRYPTION_KEYS is not set: using the development key ${keys.created ? 'generated into' : 'kept in'} the data folder (${DEVELOPMENT_SECRET_FILES.encryptionKeys})`);
  }
  const keyring = parseKeyring(keysText);
  const activeKeyId = env.ENCRYPTION_KEY_ID ?? [...keyring.keys()][0]!;
  if (!keyring.has(activeKeyId)) throw new EnvironmentError(`ENCRYPTION_KEY_ID "${activeKeyId}" is not in ENCRYPTION_KEYS`);

  const hasSid = Boolean(env.TWILIO_ACCOUNT_SID);
  if (hasSid !== Boolean(env.TWILIO_AUTH_TOKEN)) throw new EnvironmentError('set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither');

  const poll = Number(env.SENDER_POLL_INTERVAL_MS ?? 60_000);
  return {
    production,
    port,
    apiUrl,
    mongodbUri: env.MONGODB_URI || null,
    jwtSecret,
    keyring,
    activeKeyId,
    masterAccount: hasSid ? { accountSid: env.TWILIO_ACCOUNT_SID!, authToken: env.TWILIO_AUTH_TOKEN! } : null,
    whatsappNumber: env.TWILIO_WHATSAPP_NUMBER || null,
    twilioApiUrl: env.TWILIO_API_URL ? env.TWILIO_API_URL.replace(/\/+$/, '') : null,
    senderPollIntervalMs: Number.isFinite(poll) && poll > 0 ? poll : 60_000,
    templateCacheMs: readTemplateCacheMs(env),
    warnings,
    developmentJwtSecret,
    delivery: readDeliveryEnvironment(env),
    realtime: readRealtimeSettings(env),
    inboundFiling: readInboundFilingSettings(env),
    monitor: readMonitorSettings(env),
    emulator: readEmulatorSettings(env),
    operations: readOperationsSettings(env, (message) => new EnvironmentError(message)),
    attachmentSweep: readAttachmentSweepSettings(env),
  };
}

function readTemplateCacheMs(env: NodeJS.ProcessEnv): number {
  const raw = env.TEMPLATE_CACHE_MS;
  if (raw === undefined || raw === '') return 60_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new EnvironmentError('TEMPLATE_CACHE_MS must be a whole number of milliseconds (0: no cache)');
  return value;
}

function readEmulatorSettings(env: NodeJS.ProcessEnv): { port: number; stepDelayMs: number } {
  const port = Number(env.EMULATOR_PORT || 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvironmentError('EMULATOR_PORT must be a port number (0: any free port)');
  const stepDelayMs = Number(env.EMULATOR_STEP_DELAY_MS || 1000);
  if (!Number.isInteger(stepDelayMs) || stepDelayMs < 1) throw new EnvironmentError('EMULATOR_STEP_DELAY_MS must be a whole number of at least 1');
  return { port, stepDelayMs };
}

function readDeliveryEnvironment(env: NodeJS.ProcessEnv): DeliveryEnvironment {
  const d = DEFAULT_DELIVERY_SETTINGS;
  const int = (name: string, fallback: number, min: number): number => readWholeNumber(env, name, fallback, min);
  const settings: DeliveryEnvironment = {
    maxAttempts: int('DELIVERY_MAX_ATTEMPTS', d.maxAttempts, 1),
    leaseMs: int('DELIVERY_LEASE_MS', d.leaseMs, 1000),
    sendDeadlineMarginMs: int('DELIVERY_SEND_DEADLINE_MARGIN_MS', d.sendDeadlineMarginMs, 0),
    backoffBaseMs: int('DELIVERY_BACKOFF_BASE_MS', d.backoffBaseMs, 1),
    backoffMaxMs: int('DELIVERY_BACKOFF_MAX_MS', d.backoffMaxMs, 1),
    parkMs: int('DELIVERY_PARK_MS', d.parkMs, 100),
    unconfirmedSettleMs: int('DELIVERY_UNCONFIRMED_SETTLE_MS', d.unconfirmedSettleMs, 0),
    reconcileSkewMs: int('DELIVERY_RECONCILE_SKEW_MS', d.reconcileSkewMs, 0),
    maxChain: int('DELIVERY_MAX_CHAIN', d.maxChain, 1),
    pollIntervalMs: int('DELIVERY_POLL_INTERVAL_MS', 250, 10),
    concurrency: int('DELIVERY_CONCURRENCY', 16, 1),
    rateGuardMs: int('DELIVERY_RATE_GUARD_MS', 100, 0),
    sendSlotToleranceMs: int('DELIVERY_SLOT_TOLERANCE_MS', d.sendSlotToleranceMs, 0),
    queueSweepMs: int('DELIVERY_QUEUE_SWEEP_MS', 5 * 60_000, 1000),
  };
  if (settings.sendDeadlineMarginMs >= settings.leaseMs) throw new EnvironmentError('DELIVERY_SEND_DEADLINE_MARGIN_MS must be below DELIVERY_LEASE_MS');
  if (settings.sendSlotToleranceMs >= settings.rateGuardMs && settings.rateGuardMs > 0) {
    throw new EnvironmentError('DELIVERY_SLOT_TOLERANCE_MS must be below DELIVERY_RATE_GUARD_MS (the room it uses up)');
  }
  return settings;
}

function readRealtimeSettings(env: NodeJS.ProcessEnv): RealtimeSettings {
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new EnvironmentError(`${name} must be a positive number`);
    return value;
  };
  return {
    eventLogMaxEntries: Math.round(positive('EVENT_LOG_MAX_ENTRIES', 100_000)),
    eventLogMaxAgeMs: Math.round(positive('EVENT_LOG_MAX_AGE_HOURS', 24) * 3_600_000),
    eventLogTrimEveryMs: Math.round(positive('EVENT_LOG_TRIM_MS', 60_000)),
    tailMode: readTailMode(env.EVENT_LOG_TAIL),
    tailPollIntervalMs: positive('EVENT_LOG_POLL_MS', 50),
    sseHeartbeatMs: positive('SSE_HEARTBEAT_MS', 15_000),
    sseRetryMs: positive('SSE_RETRY_MS', 3_000),
  };
}

function readTailMode(raw: string | undefined): RealtimeSettings['tailMode'] {
  const mode = (raw ?? '').trim() || 'auto';
  if (mode === 'auto' || mode === 'change-stream' || mode === 'poll') return mode;
  throw new EnvironmentError('EVENT_LOG_TAIL must be auto, change-stream or poll');
}

function readInboundFilingSettings(env: NodeJS.ProcessEnv): InboundFilingSettings {
  const whole = (name: string, fallback: number): number => readWholeNumber(env, name, fallback, 1);
  return {
    concurrency: whole('INBOUND_FILING_CONCURRENCY', 16),
    unfiledAfterMs: whole('INBOUND_FILING_RETRY_AFTER_MS', 5_000),
    sweepBatch: 100,
    sweepEveryMs: whole('INBOUND_FILING_SWEEP_MS', 2_000),
  };
}

function readMonitorSettings(env: NodeJS.ProcessEnv): MonitorSettings {
  const intervalRaw = env.MONITOR_INTERVAL_MS;
  const intervalMs = intervalRaw === undefined || intervalRaw === '' ? 60_000 : Number(intervalRaw);
  if (!Number.isInteger(intervalMs) || intervalMs < 100) throw new EnvironmentError('MONITOR_INTERVAL_MS must be a whole number of at least 100');
  const thresholdRaw = env.BALANCE_ALERT_THRESHOLD;
  const balanceAlertThreshold = thresholdRaw === undefined || thresholdRaw === '' ? 10 : Number(thresholdRaw);
  if (!Number.isFinite(balanceAlertThreshold) || balanceAlertThreshold < 0) throw new EnvironmentError('BALANCE_ALERT_THRESHOLD must be a number of at least 0');
  return { intervalMs, balanceAlertThreshold };
}

/** An hour at least: orphaned chunks are recognised by age, and an upload still under way must never look orphaned. */
const MIN_UNSENT_ATTACHMENT_TTL_MS = 3_600_000;

function readAttachmentSweepSettings(env: NodeJS.ProcessEnv): AttachmentSweepSettings {
  return {
    intervalMs: readWholeNumber(env, 'ATTACHMENT_SWEEP_INTERVAL_MS', 3_600_000, 1000, 'of milliseconds', 'how often unsent attachments are looked for'),
    unsentTtlMs: readWholeNumber(env, 'UNSENT_ATTACHMENT_TTL_MS', 24 * 3_600_000, MIN_UNSENT_ATTACHMENT_TTL_MS, 'of milliseconds', 'age past which an attachment never sent is deleted'),
  };
}

/** A whole-number setting: `fallback` when unset or empty, a start-up error naming it when not a whole number of at least `min`. */
function readWholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, unit = '', meaning = ''): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new EnvironmentError(`${name} must be a whole number${unit ? ` ${unit}` : ''} of at least ${min}${meaning ? ` (${meaning})` : ''}`);
  }
  return value;
}
