import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { AcceptInboundMessageCommand } from '../../../application/message/accept-inbound-message/accept-inbound-message.command';
import { UpdateMessageStatusCommand } from '../../../application/message/update-message-status/update-message-status.command';
import { TwilioWebhookRequest } from '../../../application/message/webhooks/twilio-webhook-request';
import { INBOUND_WEBHOOK_PATH, STATUS_CALLBACK_PATH } from '../../../application/ports/twilio-gateway.port';
import { WebhookParams } from '../../../application/ports/webhook-signature.port';
import { Public } from '../auth/viewer';
import { ApiError } from '../errors/api-error';

/** Twilio reads an empty TwiML document as "received, nothing to reply". */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
/**
 * Twilio gives a webhook 15 s. Past this we answer 503 ourselves, so Twilio retries (per the
 * connection-override fragment) instead of timing out; the work in progress still completes
 * and the retry, being idempotent, finds it done.
 */
const WEBHOOK_DEADLINE_MS = 12_000;

/**
 * Twilio's webhooks: no bearer token, a Twilio signature instead (checked by the core with
 * the owning account's token). Answered 200 only once the message is durably stored; any
 * failure answers 4xx/5xx so Twilio retries per the connection-override fragment. Documented
 * in `twilio-webhooks.routes.ts`.
 */
@Controller()
export class TwilioWebhooksController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Post(INBOUND_WEBHOOK_PATH)
  @Public()
  async inbound(@Req() req: Request, @Res() res: Response): Promise<void> {
    await withinTwilioBudget(this.commands.execute(new AcceptInboundMessageCommand(webhookRequest(req))));
    answerTwiml(res);
  }

  @Post(STATUS_CALLBACK_PATH)
  @Public()
  async status(@Req() req: Request, @Res() res: Response): Promise<void> {
    const messageId = typeof req.query['messageId'] === 'string' ? req.query['messageId'] : null;
    const attempt = typeof req.query['attempt'] === 'string' ? req.query['attempt'] : null;
    await withinTwilioBudget(this.commands.execute(new UpdateMessageStatusCommand(webhookRequest(req), messageId, attempt)));
    answerTwiml(res);
  }
}

function webhookRequest(req: Request): TwilioWebhookRequest {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new ApiError(400, 'WEBHOOK.MALFORMED', 'Twilio webhooks are form-encoded (application/x-www-form-urlencoded)');
  }
  const signature = req.header('x-twilio-signature');
  const settings = req.header('x-twilio-webhooks-signature-settings');
  return {
    // originalUrl: the path and query as sent, before any routing rewrote req.url.
    pathAndQuery: req.originalUrl,
    signature: signature ?? null,
    ...(settings ? { signatureSettings: settings } : {}),
    params: (req.body ?? {}) as WebhookParams,
  };
}

async function withinTwilioBudget<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError(503, 'WEBHOOK.SLOW', 'the webhook could not be processed in time; Twilio will retry')), WEBHOOK_DEADLINE_MS);
  });
  work.catch(() => undefined); // a late failure after the deadline answered is not unhandled
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function answerTwiml(res: Response): void {
  res.status(200).type('text/xml').send(EMPTY_TWIML);
}
