import { Agent, request } from 'node:http';
import type { RequestOutcome } from './load-runner';

/** A webhook ready to send: encoded and signed before the clock starts, so the client stays cheap. */
export interface PreparedWebhook {
  readonly messageSid: string;
  /** The customer's number (E.164): whose ticket the message belongs to. */
  readonly from: string;
  /** application/x-www-form-urlencoded body. */
  readonly body: string;
  readonly signature: string;
}

/**
 * Posts prepared webhooks the way Twilio does (form body, X-Twilio-Signature) over a pool of
 * keep-alive connections, one per concurrent request, so connection setup is not measured.
 */
export class WebhookClient {
  private readonly agent: Agent;

  constructor(
    maxSockets: number,
    private readonly timeoutMs = 15_000,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  post(url: string, webhook: PreparedWebhook): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
            'Content-Length': Buffer.byteLength(webhook.body),
            'X-Twilio-Signature': webhook.signature,
            'User-Agent': 'TwilioProxy/1.1',
            Accept: '*/*',
          },
        },
        (res) => {
          // Drain the (tiny TwiML) body so the socket returns to the pool.
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            resolve(status >= 200 && status < 300 ? { ok: true } : { ok: false, failure: `HTTP ${status}` });
          });
          res.on('error', (error) => resolve({ ok: false, failure: failureOf(error) }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ ok: false, failure: failureOf(error) }));
      req.end(webhook.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function failureOf(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
