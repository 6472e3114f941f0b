import type { EmulatorState, MessageRecord } from './emulator-state';
import type { EmulatorTimers } from './emulator-timers';
import { postSignedForm, type WebhookDelivery } from './emulator-webhooks';

/** Moves outbound messages along queued → sent → delivered (→ read) and POSTs signed status callbacks. */

export interface MessageLifecycleOptions {
  /** Delay between two status steps. */
  readonly stepDelayMs: number;
  /** Last status of a successful message; default `delivered`. */
  readonly finalStatus?: 'delivered' | 'read';
  /** POST a status callback at each step to the message's StatusCallback; default true. */
  readonly sendCallbacks?: boolean;
}

const WHATSAPP_PRICE = '-0.00500';

export class MessageLifecycle {
  constructor(
    private readonly state: EmulatorState,
    private readonly timers: EmulatorTimers,
    private readonly options: MessageLifecycleOptions | false,
    private readonly webhookTimeoutMs: number,
  ) {}

  /** Called after a send is accepted; `asyncErrorCode` fails it later even when the lifecycle is off. */
  onCreated(message: MessageRecord, asyncErrorCode: number | undefined): void {
    const step = this.options === false ? 10 : this.options.stepDelayMs;
    const steps: Array<[string, number | null]> =
      asyncErrorCode !== undefined
        ? [['queued', null], [asyncErrorCode >= 30000 && asyncErrorCode < 31000 ? 'undelivered' : 'failed', asyncErrorCode]]
        : this.options === false
          ? []
          : [['queued', null], ['sent', null], ['delivered', null], ...(this.options.finalStatus === 'read' ? [['read', null] as [string, null]] : [])];
    const run = (index: number): void => {
      const current = steps[index];
      if (current === undefined) return;
      void this.advance(message.sid, current[0], current[1] ?? undefined).finally(() => {
        if (index + 1 < steps.length) this.timers.schedule(() => run(index + 1), step);
      });
    };
    if (steps.length > 0) this.timers.schedule(() => run(0), step);
  }

  /** Sets a message's status (and error) and POSTs its status callback when it has one. */
  async advance(messageSid: string, status: string, errorCode?: number): Promise<WebhookDelivery | undefined> {
    const message = this.state.messages.get(messageSid);
    if (message === undefined) throw new Error(`unknown message ${messageSid}`);
    const now = new Date();
    message.status = status;
    message.dateUpdated = now;
    if (status === 'sent' && message.dateSent === null) {
      message.dateSent = now;
      message.price = WHATSAPP_PRICE;
    }
    if (errorCode !== undefined) {
      message.errorCode = errorCode;
      message.errorMessage = null; // Twilio leaves error_message null for most async errors
    }
    const sendCallbacks = this.options === false || this.options.sendCallbacks !== false;
    if (message.statusCallback === null || !sendCallbacks) return undefined;
    return this.postCallback(message.statusCallback, statusCallbackParams(message));
  }

  async postCallback(url: string, params: Record<string, string>): Promise<WebhookDelivery> {
    const account = this.state.accounts.get(params['AccountSid'] ?? '');
    if (account === undefined) throw new Error(`unknown account ${params['AccountSid']}`);
    const delivery = await postSignedForm(url, params, { authToken: account.authToken, timeoutMs: this.webhookTimeoutMs });
    this.state.webhooks.push({ kind: 'status', url: delivery.url, params, status: delivery.status, ...(delivery.error === undefined ? {} : { error: delivery.error }), at: Date.now() });
    return delivery;
  }
}

/** The parameters Twilio sends in a WhatsApp status callback. */
export function statusCallbackParams(message: MessageRecord): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: message.accountSid,
    ApiVersion: '2010-04-01',
    ChannelPrefix: 'whatsapp',
    ChannelToAddress: message.to.replace(/^whatsapp:/, ''),
    From: message.from,
    MessageSid: message.sid,
    MessageStatus: message.status,
    SmsSid: message.sid,
    SmsStatus: message.status,
    To: message.to,
  };
  if (message.errorCode !== null) params['ErrorCode'] = String(message.errorCode);
  return params;
}
